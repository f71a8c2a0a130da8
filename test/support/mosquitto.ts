// A real Mosquitto broker for tests: started on a free loopback port with a generated
// config in a temporary directory, stopped (and the directory removed) afterwards.
//
//   const broker = await startMosquitto({ users: { alice: "secret" }, acl: "user alice\ntopic readwrite a/#\n", tls: true });
//   (or dynsec: { users, acls } for the dynamic security plugin, which refuses subscriptions)
//   ... connect to broker.host : broker.port (or broker.tlsPort with broker.ca) ...
//   await broker.kill();      // SIGKILL, like a crash (stop() is the graceful SIGTERM)
//   await broker.restart();   // same ports, same config
//   await broker.close();     // stop and remove the temporary directory
//
// Readiness is an event, never a sleep: start() polls until the port accepts a TCP
// connection (failing at once, with the broker's log, if the process exits). The broker's
// log (log_type all) is kept: `waitForLog(/Client x disconnected/)` waits for a line, which
// is how a test knows the broker has processed something it cannot observe otherwise.
//
// Mosquitto missing is a test FAILURE with a clear message, never a skip: CI installs the
// Debian packages `mosquitto` (and `openssl` for TLS).
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";

export interface MosquittoOptions {
  /** User name -> password, written with mosquitto_passwd. Anonymous clients are then refused. */
  users?: Record<string, string>;
  /**
   * Content of an acl_file (Mosquitto's ACL syntax: "user alice\ntopic readwrite a/#").
   * Note: with an acl_file Mosquitto never refuses a SUBSCRIBE (the SUBACK grants it); it only
   * withholds the PUBLISHes the ACL forbids. For SUBACK 0x80, use `dynsec`.
   */
  acl?: string;
  /**
   * The dynamic security plugin (shipped in Debian's mosquitto package), which does refuse
   * subscriptions with SUBACK 0x80. Each user gets a role of its own holding its ACL entries.
   * Anonymous clients are refused.
   */
  dynsec?: {
    users: Record<string, string>;
    acls: { user: string; acltype: DynsecAclType; topic: string; allow: boolean }[];
    /** Defaults Mosquitto applies where no ACL matches (Mosquitto's own defaults if omitted). */
    defaults?: Partial<Record<"publishClientSend" | "publishClientReceive" | "subscribe" | "unsubscribe", boolean>>;
  };
  /** Also open a TLS listener, with a CA and a server certificate (127.0.0.1, localhost) made by openssl now. */
  tls?: boolean;
  /** More mosquitto.conf lines, appended to the generated global section. */
  config?: string;
}

export type DynsecAclType =
  | "publishClientSend"
  | "publishClientReceive"
  | "subscribeLiteral"
  | "subscribePattern"
  | "unsubscribeLiteral"
  | "unsubscribePattern";

export interface Mosquitto {
  readonly host: string;
  /** Plain MQTT listener. */
  readonly port: number;
  /** TLS listener (tls: true only). */
  readonly tlsPort?: number;
  /** PEM of the CA that signed the server certificate (tls: true only). */
  readonly ca?: string;
  /** The temporary directory with the config, password file, ACL and certificates. */
  readonly dir: string;
  /** Everything the broker has logged so far (all runs). */
  log(): string;
  /** Resolves with the first log line (of the current run, from now or earlier) matching `pattern`. */
  waitForLog(pattern: RegExp, timeoutMs?: number): Promise<string>;
  running(): boolean;
  /** SIGTERM and wait for exit. */
  stop(): Promise<void>;
  /** SIGKILL and wait for exit: a crash, clients see their connections drop. */
  kill(): Promise<void>;
  /** Starts the broker again on the same ports with the same config (after stop or kill). */
  restart(): Promise<void>;
  /** Stops the broker and removes the temporary directory. */
  close(): Promise<void>;
}

const HOST = "127.0.0.1";

/** Finds an executable on PATH or in the sbin directories Debian puts daemons in. */
export function findTool(name: string): string {
  const dirs = (process.env.PATH ?? "").split(path.delimiter).concat(["/usr/sbin", "/usr/local/sbin", "/sbin"]);
  for (const dir of dirs) {
    const candidate = path.join(dir, name);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  throw new Error(
    `${name} not found (looked in PATH and /usr/sbin). These tests need a real Mosquitto 2.0: ` +
      `install the Debian packages "mosquitto" and "openssl" (apt-get install mosquitto openssl).`,
  );
}

function findFile(name: string, dirs: string[]): string {
  for (const dir of dirs) {
    const candidate = path.join(dir, name);
    if (fs.existsSync(candidate)) return candidate;
  }
  throw new Error(`${name} not found in ${dirs.join(", ")}: it comes with the Debian package "mosquitto" (2.0).`);
}

/** The plugin's JSON: passwords as PBKDF2-SHA512, 101 iterations, 12-byte salt, as mosquitto_ctrl writes them. */
function dynsecConfig(dynsec: NonNullable<MosquittoOptions["dynsec"]>) {
  const users = Object.entries(dynsec.users);
  return {
    clients: users.map(([username, password]) => {
      const salt = crypto.randomBytes(12);
      return {
        username,
        password: crypto.pbkdf2Sync(password, salt, 101, 64, "sha512").toString("base64"),
        salt: salt.toString("base64"),
        iterations: 101,
        roles: [{ rolename: `role-${username}` }],
      };
    }),
    groups: [],
    roles: users.map(([username]) => ({
      rolename: `role-${username}`,
      acls: dynsec.acls.filter((a) => a.user === username).map((a) => ({ acltype: a.acltype, topic: a.topic, priority: 0, allow: a.allow })),
    })),
    defaultACLAccess: { publishClientSend: false, publishClientReceive: true, subscribe: false, unsubscribe: true, ...dynsec.defaults },
  };
}

/** A loopback port nobody listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, HOST, () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

/** Resolves once `port` accepts a TCP connection; rejects if `failed()` returns a reason or after `timeoutMs`. */
export async function waitForPort(port: number, timeoutMs: number, failed: () => string | undefined = () => undefined): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 10; ; delay = Math.min(delay * 2, 100)) {
    const reason = failed();
    if (reason) throw new Error(reason);
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect({ host: HOST, port });
      socket.once("connect", () => {
        socket.destroy();
        resolve(true);
      });
      socket.once("error", () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`port ${port} did not open within ${timeoutMs} ms`);
    // Poll again shortly: the event we wait for (a listening socket) has no notification.
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
}

export interface Certificates {
  /** CA certificate, PEM. */
  ca: string;
  caFile: string;
  certFile: string;
  keyFile: string;
}

/**
 * Makes a throwaway CA and a server certificate it signs, for 127.0.0.1 and localhost,
 * with openssl, in `dir` (file names prefixed by `name`). Also used by tests to make a
 * second, unrelated CA (the "wrong CA" case).
 */
export function makeCertificates(dir: string, name = "test"): Certificates {
  const openssl = findTool("openssl");
  const file = (suffix: string) => path.join(dir, `${name}-${suffix}`);
  const run = (args: string[]) => execFileSync(openssl, args, { stdio: "pipe" });
  run(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", file("ca.key"), "-out", file("ca.crt"), "-days", "2", "-subj", `/CN=${name} test CA`]);
  run(["req", "-newkey", "rsa:2048", "-nodes", "-keyout", file("server.key"), "-out", file("server.csr"), "-subj", "/CN=localhost"]);
  fs.writeFileSync(file("ext.cnf"), "subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n");
  run(["x509", "-req", "-in", file("server.csr"), "-CA", file("ca.crt"), "-CAkey", file("ca.key"), "-CAcreateserial", "-out", file("server.crt"), "-days", "2", "-extfile", file("ext.cnf")]);
  return { ca: fs.readFileSync(file("ca.crt"), "utf8"), caFile: file("ca.crt"), certFile: file("server.crt"), keyFile: file("server.key") };
}

export async function startMosquitto(options: MosquittoOptions = {}): Promise<Mosquitto> {
  const binary = findTool("mosquitto");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sensornode-mosquitto-"));
  const lines: string[] = [
    "per_listener_settings false",
    "persistence false",
    "log_dest stderr",
    "log_type all",
    "log_timestamp false",
    "connection_messages true",
  ];
  // Started as root, Mosquitto drops to the "mosquitto" user and then cannot read the files
  // in our private temporary directory: stay root in that case (only happens in containers).
  if (process.getuid && process.getuid() === 0) lines.push("user root");
  if (options.users) {
    const passwords = path.join(dir, "passwords");
    fs.writeFileSync(passwords, "");
    for (const [user, password] of Object.entries(options.users)) {
      execFileSync(findTool("mosquitto_passwd"), ["-b", passwords, user, password], { stdio: "pipe" });
    }
    lines.push(`password_file ${passwords}`, "allow_anonymous false");
  } else {
    lines.push("allow_anonymous true");
  }
  if (options.dynsec) {
    const plugin = findFile("mosquitto_dynamic_security.so", ["/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib", "/usr/local/lib", "/usr/lib/mosquitto"]);
    const config = path.join(dir, "dynsec.json");
    fs.writeFileSync(config, JSON.stringify(dynsecConfig(options.dynsec), null, 2));
    lines.push(`plugin ${plugin}`, `plugin_opt_config_file ${config}`, "allow_anonymous false");
  }
  if (options.acl !== undefined) {
    const acl = path.join(dir, "acl");
    fs.writeFileSync(acl, options.acl);
    lines.push(`acl_file ${acl}`);
  }
  if (options.config) lines.push(options.config);
  const certificates = options.tls ? makeCertificates(dir, "broker") : undefined;

  let port = 0;
  let tlsPort: number | undefined;
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  let exitReason: string | undefined;
  let logText = "";
  let runStart = 0; // offset in logText where the current run begins
  const waiters: { pattern: RegExp; resolve: (line: string) => void }[] = [];

  const writeConfig = () => {
    const listeners = [`listener ${port} ${HOST}`];
    if (certificates && tlsPort) {
      listeners.push(
        `listener ${tlsPort} ${HOST}`,
        `cafile ${certificates.caFile}`,
        `certfile ${certificates.certFile}`,
        `keyfile ${certificates.keyFile}`,
        "tls_version tlsv1.2",
      );
    }
    fs.writeFileSync(path.join(dir, "mosquitto.conf"), lines.concat(listeners).join("\n") + "\n");
  };

  const matchWaiters = () => {
    const current = logText.slice(runStart).split("\n");
    for (let i = waiters.length - 1; i >= 0; i--) {
      const line = current.find((l) => waiters[i]!.pattern.test(l));
      if (line !== undefined) {
        waiters[i]!.resolve(line);
        waiters.splice(i, 1);
      }
    }
  };

  const launch = async () => {
    runStart = logText.length;
    exitReason = undefined;
    const process_ = spawn(binary, ["-c", path.join(dir, "mosquitto.conf")], { stdio: ["ignore", "pipe", "pipe"] });
    child = process_;
    const onOutput = (data: Buffer) => {
      logText += data.toString();
      matchWaiters();
    };
    process_.stdout!.on("data", onOutput);
    process_.stderr!.on("data", onOutput);
    exited = new Promise((resolve) => {
      process_.once("exit", (code, signal) => {
        exitReason = `mosquitto exited (code ${code}, signal ${signal}). Log:\n${logText.slice(runStart).slice(-3000)}`;
        resolve();
      });
      process_.once("error", (error) => {
        exitReason = `mosquitto could not start: ${error.message}`;
        resolve();
      });
    });
    await waitForPort(port, 15000, () => exitReason);
    if (tlsPort) await waitForPort(tlsPort, 15000, () => exitReason);
  };

  // Another process may take the free port between freePort() and Mosquitto's bind: try again.
  for (let attempt = 1; ; attempt++) {
    port = await freePort();
    tlsPort = certificates ? await freePort() : undefined;
    writeConfig();
    try {
      await launch();
      break;
    } catch (error) {
      if (child && child.exitCode === null) child.kill("SIGKILL");
      await exited;
      if (attempt >= 3 || !/Address already in use/i.test(String(error))) {
        fs.rmSync(dir, { recursive: true, force: true });
        throw error;
      }
    }
  }

  const signal = async (name: NodeJS.Signals) => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill(name);
    await exited;
  };

  return {
    host: HOST,
    port,
    tlsPort,
    ca: certificates?.ca,
    dir,
    log: () => logText,
    waitForLog(pattern: RegExp, timeoutMs = 20000) {
      return new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => {
          const index = waiters.indexOf(waiter);
          if (index >= 0) waiters.splice(index, 1);
          reject(new Error(`mosquitto never logged ${pattern} within ${timeoutMs} ms. Log:\n${logText.slice(runStart).slice(-3000)}`));
        }, timeoutMs);
        const waiter = {
          pattern,
          resolve: (line: string) => {
            clearTimeout(timer);
            resolve(line);
          },
        };
        waiters.push(waiter);
        matchWaiters();
      });
    },
    running: () => !!child && child.exitCode === null && child.signalCode === null,
    stop: () => signal("SIGTERM"),
    kill: () => signal("SIGKILL"),
    async restart() {
      await signal("SIGKILL");
      await launch();
    },
    async close() {
      await signal("SIGTERM");
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
