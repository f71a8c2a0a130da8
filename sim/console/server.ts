// A simulated Espruino console over TCP: what `espruino -p tcp://host:port` (EspruinoTools)
// talks to on an ESP board's telnet console, so `sensornode flash` and `sensornode console`
// are tested end to end without hardware.
//
// The bytes it answers were measured on Espruino 2v29 for Linux started with --telnet
// (see test/flash/transcript.test.ts for the recorded exchange):
//  - on connect the board shows its prompt ">";
//  - a line is executed at "\n" (or "\r"); ESC "\n" (what the tools send as Alt-Enter) is a
//    newline that does NOT execute; Ctrl-C (0x03) drops the pending input;
//  - "\x10" at the start of a line turns echo off for that line: no echo, no "=result";
//  - an echoed line answers "<the line>\r\n" + its output + "=<value>\r\n", then ">";
//  - reset() prints the banner and never runs the boot code; load() is deferred until the
//    console is idle, erases the prompt ("\r\x1b[J"), then runs .bootcde from Storage;
//  - output printed while the prompt is shown first erases it ("\r\x1b[J");
//  - an exception prints "Uncaught <Name>: <message>".
// One client at a time, like Espruino's telnet server; a new client replaces the old one.
import net from "node:net";
import { EventEmitter } from "node:events";
import { MemoryStorage, minimalRuntime, type BoardRuntime, type ConsoleStorage, type RuntimeFactory } from "./runtime";

export const BANNER = [
  "",
  " ____                 _ ",
  "|  __|___ ___ ___ _ _|_|___ ___ ",
  "|  __|_ -| . |  _| | | |   | . |",
  "|____|___|  _|_| |___|_|_|_|___|",
  "         |_| espruino.com",
  " 2v29 (c) 2026 G.Williams (simulated: sensornode sim/console)",
  "",
  "Espruino is Open Source. Our work is supported",
  "only by sales of official boards and donations:",
  "http://espruino.com/Donate",
  "",
  "",
].join("\r\n");

/** process.env of the boards sensornode targets (Espruino's boards/*.py names). */
export const BOARD_ENV: Record<string, Record<string, unknown>> = {
  ESP32: { VERSION: "2v29", BOARD: "ESP32", CONSOLE: "Telnet", MODULES: "Flash,Storage,heatshrink,net,dgram,http,NetworkJS,Wifi,ESP32,TelnetServer,tls,crypto,neopixel" },
  ESP8266: { VERSION: "2v29", BOARD: "ESP8266_4MB", CONSOLE: "Telnet", MODULES: "Flash,Storage,heatshrink,net,dgram,http,NetworkJS,Wifi,ESP8266,TelnetServer,neopixel" },
  LINUX: { VERSION: "2v29", BOARD: "LINUX", CONSOLE: "Telnet", MODULES: "timer,Flash,Storage,heatshrink,fs,net,dgram,tls,http,NetworkJS,TelnetServer,crypto" },
};

export interface SimulatedConsoleOptions {
  /** Board kind for process.env (default LINUX). */
  kind?: "ESP32" | "ESP8266" | "LINUX";
  storage?: ConsoleStorage;
  /** What runs the code: the stand-in by default, the VirtualBoard when it is ready. */
  runtime?: RuntimeFactory;
  /** Run .bootcde when the console starts (a power-on). Default true. */
  bootOnStart?: boolean;
  /**
   * Fault: Storage writes and E.setBootCode are silently dropped (a board whose upload
   * never lands, so the OLD code boots): lets tests prove `flash` checks the config hash.
   */
  dropStorageWrites?: boolean;
}

/**
 * Events: "received" (bytes from the client, latin1), "sent" (bytes to the client),
 * "output" (one line the running code printed), "boot" (load() or power-on ran .bootcde),
 * "connection", "disconnect".
 */
export class SimulatedConsole extends EventEmitter {
  readonly storage: ConsoleStorage;
  readonly env: Record<string, unknown>;
  /** Everything every client sent, in order (latin1). */
  received = "";
  /** Every line the board's code printed since start (print / console.log / Uncaught). */
  outputLines: string[] = [];
  /** What the code printed since the last boot (load() or power-on): the node's first output. */
  bootOutput: string[] = [];
  boots = 0;

  private server = net.createServer((socket) => this.attach(socket));
  private socket?: net.Socket;
  private runtime!: BoardRuntime;
  private readonly factory: RuntimeFactory;
  private input = "";
  private echoOff = false;
  private promptShown = false;
  /** The prompt must be shown again at idle (hidden by output, an echoed Enter, reset()...). */
  private needPrompt = false;
  private loadPending = false;
  private scheduled = false;

  constructor(private readonly options: SimulatedConsoleOptions = {}) {
    super();
    this.env = { ...BOARD_ENV[options.kind ?? "LINUX"] };
    const base = options.storage ?? new MemoryStorage();
    this.storage = options.dropStorageWrites ? readOnly(base) : base;
    this.factory = options.runtime ?? minimalRuntime;
    this.fresh();
  }

  /** Listens on 127.0.0.1 (port 0 = a free port) and powers the board on. */
  async listen(port = 0): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(port, "127.0.0.1", () => resolve());
    });
    if (this.options.bootOnStart !== false) this.boot();
    return (this.server.address() as net.AddressInfo).port;
  }

  get port(): number {
    return (this.server.address() as net.AddressInfo).port;
  }

  async close(): Promise<void> {
    this.runtime.stop();
    this.socket?.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** A power cycle: RAM cleared, .bootcde runs. */
  powerCycle(): void {
    this.boot();
  }

  private attach(socket: net.Socket): void {
    this.socket?.destroy();
    this.socket = socket;
    this.input = "";
    this.echoOff = false;
    socket.setNoDelay(true);
    socket.on("data", (data) => this.receive(data.toString("latin1")));
    socket.on("error", () => undefined);
    socket.on("close", () => {
      if (this.socket === socket) this.socket = undefined;
      this.emit("disconnect");
    });
    this.promptShown = false;
    this.showPrompt();
    this.emit("connection");
  }

  private send(text: string): void {
    if (text.length === 0) return;
    this.emit("sent", text);
    this.socket?.write(Buffer.from(text, "latin1"));
  }

  /** Output of the running code: erase a shown prompt first, as Espruino does. */
  private printLine(line: string): void {
    if (this.promptShown) {
      this.send("\r\x1b[J");
      this.promptShown = false;
    }
    this.send(`${line.replace(/\n/g, "\r\n")}\r\n`);
    // Measured: after an echo-off line, the prompt comes back only if the line printed text
    // (a bare print() in the upload preamble does not bring it back).
    if (line.trim() !== "") this.needPrompt = true;
    this.outputLines.push(line);
    this.bootOutput.push(line);
    this.emit("output", line);
    this.idleSoon();
  }

  private showPrompt(): void {
    if (this.promptShown) return;
    this.send(">");
    this.promptShown = true;
    this.needPrompt = false;
  }

  private receive(data: string): void {
    this.received += data;
    this.emit("received", data);
    for (let i = 0; i < data.length; i++) {
      const ch = data[i]!;
      if (ch === "\x10" && this.input === "") {
        this.echoOff = true;
        this.promptShown = false;
      } else if (ch === "\x1b" && data[i + 1] === "\n") {
        i++;
        this.input += "\n";
        if (!this.echoOff) this.send("\r\n:");
      } else if (ch === "\x03") {
        this.input = "";
        this.echoOff = false;
        if (this.promptShown) this.send("\r\x1b[J");
        this.promptShown = false;
        this.needPrompt = true;
      } else if (ch === "\n" || ch === "\r") {
        if (ch === "\r" && data[i + 1] === "\n") i++;
        this.execute(this.input, !this.echoOff);
        this.input = "";
        this.echoOff = false;
      } else if (ch === "\x08" || ch === "\x7f") {
        if (this.input.length > 0) {
          this.input = this.input.slice(0, -1);
          if (!this.echoOff) this.send("\x08 \x08");
        }
      } else {
        this.input += ch;
        if (!this.echoOff) {
          if (!this.promptShown) this.showPrompt();
          this.send(ch);
        }
      }
    }
    this.idleSoon();
  }

  private execute(line: string, echo: boolean): void {
    if (echo) {
      this.send("\r\n");
      this.promptShown = false;
      this.needPrompt = true;
    }
    if (line.trim() === "") return;
    try {
      const value = this.runtime.evaluate(line, "REPL");
      if (echo) this.send(`=${this.runtime.inspect(value)}\r\n`);
    } catch (error) {
      this.uncaught(error);
    }
  }

  private uncaught(error: unknown): void {
    const e = error as { name?: string; message?: string };
    this.printLine(e && typeof e === "object" && "message" in e ? `Uncaught ${e.name ?? "Error"}: ${e.message}` : `Uncaught ${String(error)}`);
  }

  /** Runs after the current input is processed: a pending load(), then the prompt. */
  private idleSoon(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      if (this.loadPending) {
        this.loadPending = false;
        this.send("\r\x1b[J"); // measured: load() always erases the input line first
        this.promptShown = false;
        this.boot();
        this.needPrompt = true;
      }
      if (this.needPrompt && this.input === "" && !this.echoOff) this.showPrompt();
    });
  }

  private fresh(): void {
    this.runtime?.stop();
    this.runtime = this.factory({
      print: (text) => this.printLine(text),
      storage: this.storage,
      env: this.env,
      reset: () => {
        this.fresh();
        this.send(BANNER);
        this.needPrompt = true;
      },
      load: () => {
        this.loadPending = true;
      },
      uncaught: (error) => this.uncaught(error),
    });
  }

  private boot(): void {
    this.fresh();
    this.boots++;
    this.bootOutput = [];
    const code = this.storage.get(".bootcde");
    this.emit("boot", code);
    if (code === undefined) return;
    try {
      this.runtime.evaluate(code, ".bootcde");
    } catch (error) {
      this.uncaught(error);
    }
  }
}

function readOnly(storage: ConsoleStorage): ConsoleStorage {
  return {
    get: (name) => storage.get(name),
    set: () => undefined,
    delete: () => undefined,
    names: () => storage.names(),
  };
}

/** Runs a simulated console from the command line: `tsx sim/console/server.ts [port] [kind]`. */
export async function startConsole(port: number, options: SimulatedConsoleOptions = {}): Promise<SimulatedConsole> {
  const board = new SimulatedConsole(options);
  await board.listen(port);
  return board;
}
