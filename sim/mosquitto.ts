// `sensornode sim --mosquitto`: a real Mosquitto that the simulator starts itself, on a free
// loopback port with a generated config (anonymous clients, no persistence) in a temporary
// folder, so the broker-restart fault restarts a real broker: SIGTERM, then the same port
// again. Readiness is the port accepting a connection; if the process exits first, its log
// is the error. Optional: without the `mosquitto` program, a sentence says what to do.
import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";

const HOST = "127.0.0.1";

export interface OwnMosquitto {
  readonly host: string;
  readonly port: number;
  /** SIGTERM and start again on the same port; resolves when it accepts connections. */
  restart(): Promise<void>;
  /** Stops it and removes its folder. */
  stop(): Promise<void>;
}

export const MOSQUITTO_MISSING =
  "--mosquitto: the mosquitto broker is not installed (looked in PATH and /usr/sbin). Install it (Debian/Ubuntu: apt-get install mosquitto), or leave --mosquitto out to use the embedded broker.";

/** The mosquitto program on PATH or in Debian's /usr/sbin, or undefined. */
export function findMosquitto(): string | undefined {
  const dirs = (process.env.PATH ?? "").split(path.delimiter).concat(["/usr/sbin", "/usr/local/sbin", "/sbin"]);
  for (const dir of dirs) {
    const candidate = path.join(dir, "mosquitto");
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

export async function startMosquitto(): Promise<OwnMosquitto> {
  const binary = findMosquitto();
  if (!binary) throw new Error(MOSQUITTO_MISSING);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sensornode-sim-mosquitto-"));
  const port = await freePort();
  const lines = ["per_listener_settings false", "persistence false", "log_dest stderr", "log_type error", "log_type warning", "allow_anonymous true", `listener ${port} ${HOST}`];
  // as root, Mosquitto drops to the "mosquitto" user, which cannot read our private folder
  if (process.getuid && process.getuid() === 0) lines.push("user root");
  const config = path.join(dir, "mosquitto.conf");
  fs.writeFileSync(config, lines.join("\n") + "\n");
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  let failure: string | undefined;

  const launch = async () => {
    failure = undefined;
    let log = "";
    const process_ = spawn(binary, ["-c", config], { stdio: ["ignore", "ignore", "pipe"] });
    child = process_;
    process_.stderr!.on("data", (data: Buffer) => (log = (log + data.toString()).slice(-2000)));
    exited = new Promise((resolve) => {
      process_.once("exit", (code, signal) => {
        failure = `mosquitto exited (code ${code}, signal ${signal})${log ? `: ${log.trim()}` : ""}`;
        resolve();
      });
      process_.once("error", (error) => {
        failure = `mosquitto could not start: ${error.message}`;
        resolve();
      });
    });
    await waitForPort(port, 15_000, () => failure);
  };
  const terminate = async () => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    await exited;
  };

  try {
    await launch();
  } catch (error) {
    await terminate();
    fs.rmSync(dir, { recursive: true, force: true });
    throw new Error(`--mosquitto: ${(error as Error).message}`, { cause: error });
  }
  return {
    host: HOST,
    port,
    async restart() {
      await terminate();
      await launch();
    },
    async stop() {
      await terminate();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

function freePort(): Promise<number> {
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

/** Resolves once `port` accepts a TCP connection; rejects when `failed()` gives a reason or after `timeoutMs`. */
async function waitForPort(port: number, timeoutMs: number, failed: () => string | undefined): Promise<void> {
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
    // no notification exists for "now listening": poll again shortly
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
}
