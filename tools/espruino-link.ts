// The parent's side of tools/espruino-driver.ts: starts EspruinoTools in a child process and
// turns its JSON lines into events. Shared by `flash` and `console`.
import { spawn, type ChildProcess } from "node:child_process";
import { EventEmitter } from "node:events";
import path from "node:path";
import readline from "node:readline";
import type { BoardKind } from "../boards/schema";
import { ROOT } from "./build";
import type { DriverJob } from "./espruino-driver";

export type DriverMessage =
  | { type: "open" }
  | { type: "upload"; total: number }
  | { type: "progress"; sent: number; total: number }
  | { type: "written" }
  | { type: "data"; data: string }
  | { type: "payload"; data: string }
  | { type: "log"; text: string }
  | { type: "error"; code: string; message: string }
  | { type: "closed" };

const DRIVER = path.join(ROOT, "tools", "espruino-driver.ts");

/**
 * process.env as Espruino 2v29 reports it on each board kind, handed to EspruinoTools instead
 * of letting it ask the board (what `espruino --board board.json` does): it then never
 * downloads a board JSON, and VERSION 2v29 makes it upload in 1 KB Storage.write chunks.
 * BOARD names are Espruino's boards/*.py; CONSOLE only decides throttling (Telnet: none).
 */
export function boardEnv(kind: BoardKind, port: string): Record<string, unknown> {
  const names: Record<BoardKind, string> = { ESP32: "ESP32", ESP8266: "ESP8266_4MB", LINUX: "LINUX" };
  const modules: Record<BoardKind, string[]> = {
    ESP32: ["Flash", "Storage", "heatshrink", "net", "dgram", "http", "NetworkJS", "Wifi", "ESP32", "TelnetServer", "tls", "crypto"],
    ESP8266: ["Flash", "Storage", "heatshrink", "net", "dgram", "http", "NetworkJS", "Wifi", "ESP8266", "TelnetServer"],
    LINUX: ["Flash", "Storage", "heatshrink", "fs", "net", "dgram", "tls", "http", "NetworkJS", "TelnetServer", "crypto"],
  };
  return {
    BOARD: names[kind],
    VERSION: "2v29",
    CONSOLE: port.startsWith("tcp://") ? "Telnet" : "Serial1",
    MODULES: modules[kind].join(","),
    info: { builtin_modules: modules[kind] },
  };
}

export class DriverLink extends EventEmitter {
  readonly child: ChildProcess;
  readonly exited: Promise<number>;
  /** The driver's own log (EspruinoTools' console output), for --verbose and error reports. */
  readonly log: string[] = [];

  constructor(job: DriverJob) {
    super();
    this.child = spawn(process.execPath, ["--import", "tsx", DRIVER, JSON.stringify(job)], { cwd: ROOT, stdio: ["pipe", "pipe", "pipe"] });
    this.exited = new Promise((resolve) => this.child.on("exit", (code, signal) => resolve(code ?? (signal ? 128 : 1))));
    readline.createInterface({ input: this.child.stdout! }).on("line", (line) => {
      let message: DriverMessage;
      try {
        message = JSON.parse(line) as DriverMessage;
      } catch {
        this.log.push(line);
        return;
      }
      if (message.type === "log") this.log.push(message.text);
      this.emit("message", message);
    });
    readline.createInterface({ input: this.child.stderr! }).on("line", (line) => this.log.push(line));
    this.child.stdin!.on("error", () => undefined);
  }

  write(data: string): void {
    this.send({ type: "write", data });
  }

  /** Asks the driver to close the port; kills it if it has not gone within `graceMs`. */
  async close(graceMs = 3000): Promise<number> {
    this.send({ type: "close" });
    const timer = setTimeout(() => this.kill(), graceMs);
    const code = await this.exited;
    clearTimeout(timer);
    return code;
  }

  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill("SIGKILL");
  }

  private send(message: object): void {
    if (this.child.stdin!.writable) this.child.stdin!.write(`${JSON.stringify(message)}\n`);
  }
}

/** A driver error as a sentence with the fix (never a stack trace). */
export function describePortError(port: string, code: string, message: string): string {
  if (code === "ECONNREFUSED") {
    return `nothing accepts connections at ${port} (connection refused).\n  fix: check the address; Espruino's telnet console on an ESP32/ESP8266 listens on port 23 once the board is on WiFi (tcp://<board address>)`;
  }
  if (code === "EHOSTUNREACH" || code === "ENETUNREACH" || code === "ETIMEDOUT" || code === "ENOTFOUND" || code === "EAI_AGAIN") {
    return `cannot reach ${port} (${code}).\n  fix: check the board's address and that it is on the same network`;
  }
  if (code === "ENOENT") return `no such port ${port}.\n  fix: plug the board in and look for it with \`ls /dev/ttyUSB* /dev/ttyACM*\``;
  if (code === "EBUSY") return `${port} is in use by another program (${message}).\n  fix: close the serial monitor, the Web IDE or another \`sensornode console\` that has it open`;
  if (code === "EACCES") return `no permission to open ${port}.\n  fix: add yourself to the dialout group (\`sudo usermod -aG dialout $USER\`, then log in again)`;
  return `cannot use ${port}: ${message}`;
}
