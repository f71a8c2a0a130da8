// Child process that drives EspruinoTools (the `espruino` npm package) as a library for
// `sensornode flash` and `sensornode console` (tools/flash.ts, tools/console.ts).
//
// Why a library in a child process, not the espruino CLI and not the library in-process:
//  - the CLI prints no progress and cannot report bytes sent, and a TCP proxy to count them
//    would not work for a serial port; the library lets us wrap the one function that writes
//    to the port (Serial.connection.writeLowLevel), so the progress bar counts real bytes;
//  - the library loads its files into the global scope (es6-shim patches built-ins; it sets
//    global.require, $, navigator, acorn) and logs every file it loads: kept out of our process;
//  - known hangs in EspruinoTools 0.1.67 (a refused TCP connect logs "RECEIVE ERROR" and never
//    calls back; a write shorter than one block never calls back) are turned into errors or
//    ignored here, and the parent can always kill the child on its own timeout.
//
// Protocol: the job is JSON in argv[2]. Messages to the parent are JSON lines on stdout:
//   {type:"open"} {type:"upload", total} {type:"progress", sent, total} {type:"written"}
//   {type:"data", data} (board output, latin1) {type:"payload", data} (dry run)
//   {type:"log", text} {type:"error", code, message} {type:"closed"}
// Messages from the parent are JSON lines on stdin: {type:"write", data} {type:"close"}.
import type { DriverMessage } from "./espruino-link";
import fs from "node:fs";
import { createRequire } from "node:module";
import readline from "node:readline";

export interface DriverJob {
  mode: "upload" | "dry-run" | "terminal";
  port?: string;
  baud?: number;
  /** process.env of the board as Espruino reports it, given instead of querying it (--board). */
  board: Record<string, unknown>;
  /** The firmware (upload and dry-run). */
  file?: string;
}


// EspruinoTools is untyped global state.
declare const Espruino: any;

const out = process.stdout.write.bind(process.stdout);
function send(message: DriverMessage): void {
  out(`${JSON.stringify(message)}\n`);
}

function fail(code: string, message: string): never {
  send({ type: "error", code, message });
  process.exit(1);
}

/** EspruinoTools logs through console.*: keep it off our protocol, and read its errors. */
function captureConsole(): void {
  const log = (...args: unknown[]) => send({ type: "log", text: args.map(String).join(" ") });
  console.log = log;
  console.info = log;
  console.warn = log;
  console.error = (...args: unknown[]) => {
    const text = args.map((a) => (typeof a === "string" ? a : JSON.stringify(a))).join(" ");
    send({ type: "log", text });
    const received = /^RECEIVE ERROR: (\{.*\})/.exec(text);
    if (received) {
      const info = JSON.parse(received[1]!) as { code?: string; address?: string; port?: number };
      fail(info.code ?? "ECONNECT", `${info.code ?? "connection error"} at ${info.address ?? "?"}:${info.port ?? "?"}`);
    }
    if (/Port .* not found/.test(text)) fail("ENOENT", text.replace(/^serial: /, ""));
    if (/Unable to (connect|open device)/.test(text)) fail("EOPEN", text);
  };
}

function init(): Promise<void> {
  const require = createRequire(import.meta.url);
  const espruino = require("espruino") as { init(callback: () => void): void };
  return new Promise((resolve) => espruino.init(resolve));
}

/** What `--board board.json` does in the CLI (bin/espruino-cli.js setupConfig), without a file. */
function useBoard(board: Record<string, unknown>, baud: number | undefined): void {
  Espruino.Config.ENV_ON_CONNECT = false; // never query process.env, never download a board JSON
  Espruino.Config.BLUETOOTH_LOW_ENERGY = false; // --no-ble
  Espruino.Config.BLUETOOTH_LOW_ENERGY_DBUS = false;
  Espruino.Config.SET_TIME_ON_WRITE = false;
  Espruino.Config.SAVE_ON_SEND = 1; // direct to flash: Storage ".bootcde", runs at every boot
  Espruino.Config.MINIFICATION_LEVEL = ""; // never -m: its minifier breaks modern output
  if (baud) Espruino.Config.BAUD_RATE = baud;
  const env = Espruino.Core.Env.getData();
  Object.assign(env, board);
  // VERSION_MAJOR/MINOR decide the upload style in plugins/saveOnSend.js: with them (2v29)
  // the code goes out as 1 KB require("Storage").write(".bootcde",...) chunks; without them
  // the tools fall back to one E.setBootCode("<whole program>") string, which must fit in RAM.
  if (typeof board.VERSION === "string") Espruino.Core.Env.setFirmwareVersion(board.VERSION);
}

/**
 * The bundle is self-contained (esbuild): every require() in it names a module built into
 * Espruino, never one for the tools to add. EspruinoTools (core/modules.js) treats a name
 * missing from the board's MODULES as a module to download from espruino.com and prepends
 * what it found plus "\n" to the code, so the stored .bootcde would differ from the bundle
 * (and flash would reach the internet): e.g. a LINUX bundle carries the Wifi adapter's
 * require("Wifi"), never called there. So the names the bundle requires count as built in.
 */
function bundledRequires(code: string): void {
  const env = Espruino.Core.Env.getData();
  const modules = String(env.MODULES ?? "").split(",").filter((m) => m !== "");
  for (const match of code.matchAll(/\brequire\(\s*(?:"([^"]+)"|'([^']+)')\s*\)/g)) {
    const name = match[1] ?? match[2]!;
    if (!modules.includes(name)) modules.push(name);
  }
  env.MODULES = modules.join(",");
}

function transform(code: string): Promise<string> {
  bundledRequires(code);
  return new Promise((resolve) => Espruino.callProcessor("transformForEspruino", code, resolve));
}

function open(port: string): Promise<void> {
  if (!port.startsWith("tcp://")) {
    if (!fs.existsSync(port)) fail("ENOENT", `no such port ${port}`);
  } else Espruino.Config.SERIAL_TCPIP = [port];
  return new Promise((resolve) => {
    Espruino.Core.Serial.startListening((buffer: ArrayBuffer) => send({ type: "data", data: Buffer.from(buffer).toString("latin1") }));
    Espruino.Core.Serial.open(
      port,
      (status: unknown) => {
        if (status === undefined) fail("EOPEN", `unable to open ${port}`);
        // Over telnet the tools would query process.env, see CONSOLE "Telnet" and stop
        // throttling (plugins/versionChecker.js); on a serial port they throttle (19-byte blocks).
        if (port.startsWith("tcp://")) Espruino.Core.Serial.setSlowWrite(false);
        send({ type: "open" });
        resolve();
      },
      () => {
        send({ type: "closed" });
        process.exit(0);
      },
    );
  });
}

/** Counts the bytes the tools hand to the port, from the upload's first byte to its last. */
function countBytes(): void {
  const serial = Espruino.Core.Serial;
  const connection = serial.connection;
  let total = 0;
  let sent = 0;
  const write = serial.write;
  serial.write = (data: string, showStatus?: boolean, callback?: () => void) => {
    if (total === 0 && data.startsWith("\x10reset();")) {
      total = data.length;
      send({ type: "upload", total });
    }
    return write(data, showStatus, callback);
  };
  const writeLowLevel = connection.writeLowLevel;
  connection.writeLowLevel = (chunk: string) => {
    if (total > 0 && sent < total) {
      sent = Math.min(total, sent + chunk.length);
      send({ type: "progress", sent, total });
      if (sent === total) send({ type: "written" }); // before the bytes go: the answer comes after
    }
    return writeLowLevel.call(connection, chunk);
  };
}

/** The bytes CodeWriter.writeToEspruino would send after it has a prompt, without a port. */
function capturePayload(code: string): Promise<string> {
  return new Promise((resolve) => {
    Espruino.Core.Utils.getEspruinoPrompt = (callback: () => void) => callback();
    Espruino.Core.Serial.write = (data: string) => resolve(data);
    Espruino.Core.CodeWriter.writeToEspruino(code, () => undefined);
  });
}

function listenToParent(): void {
  const lines = readline.createInterface({ input: process.stdin });
  lines.on("line", (line) => {
    const message = JSON.parse(line) as { type: string; data?: string };
    if (message.type === "write") void Espruino.Core.Serial.connection.writeLowLevel(message.data ?? "");
    if (message.type === "close") {
      setTimeout(() => process.exit(0), 1000).unref();
      Espruino.Core.Serial.close();
    }
  });
  lines.on("close", () => process.exit(0));
}

async function run(job: DriverJob): Promise<void> {
  captureConsole();
  process.on("uncaughtException", (error: Error) => {
    const message = String(error.message ?? error);
    const code = /lock|busy|temporarily unavailable/i.test(message) ? "EBUSY" : /access|permission/i.test(message) ? "EACCES" : "EPORT";
    fail(code, message);
  });
  await init();
  useBoard(job.board, job.baud);
  if (job.mode === "terminal") {
    listenToParent();
    await open(job.port!);
    return;
  }
  const code = await transform(fs.readFileSync(job.file!, "latin1"));
  if (job.mode === "dry-run") {
    send({ type: "payload", data: await capturePayload(code) });
    process.exit(0);
  }
  listenToParent();
  countBytes();
  await open(job.port!);
  Espruino.Core.CodeWriter.writeToEspruino(code, () => send({ type: "log", text: "writeToEspruino finished" }));
}

if (process.argv[2]) void run(JSON.parse(process.argv[2]) as DriverJob);
