// `sensornode console`: the board's console (its log and the Espruino REPL) in the terminal,
// through EspruinoTools like `flash` (so a serial port and tcp:// behave the same).
//
// Keys: everything typed goes to the board. Ctrl-C goes to the board too (it stops what runs
// there); a second Ctrl-C in a row, or Ctrl-] at any time, closes the console.
// Piped input (not a terminal) is sent as it comes; at its end the console waits until the
// board has been quiet for `quietMs`, then closes: `echo 'process.memory()' | sensornode console ...`
import type { Readable, Writable } from "node:stream";
import { boardEnv, describePortError, DriverLink, type DriverMessage } from "./espruino-link";

export interface ConsoleOptions {
  port: string;
  baud?: number;
  /** Seconds to wait for the port to open. */
  timeout?: number;
  /** After piped input ends: close once the board has said nothing for this long. */
  quietMs?: number;
}

export interface ConsoleIo {
  input: Readable & { isTTY?: boolean; setRawMode?(raw: boolean): unknown };
  output: Writable;
  err(text: string): void;
}

const CTRL_C = "\x03";
const CTRL_BRACKET = "\x1d";

export async function runConsole(options: ConsoleOptions, io: ConsoleIo): Promise<number> {
  const link = new DriverLink({ mode: "terminal", port: options.port, baud: options.baud ?? 115200, board: boardEnv("ESP32", options.port) });
  const timeoutMs = (options.timeout ?? 10) * 1000;
  const quietMs = options.quietMs ?? 1000;

  const code = await new Promise<number>((resolve) => {
    let open = false;
    let inputEnded = false;
    let lastWasCtrlC = false;
    let quiet: NodeJS.Timeout | undefined;
    const openTimer = setTimeout(() => finish(1, `no answer from ${options.port} within ${timeoutMs / 1000} s.\n  fix: check the port, or raise --timeout`), timeoutMs);
    const pending: string[] = [];

    let finished = false;
    function finish(exitCode: number, message?: string) {
      if (finished) return;
      finished = true;
      clearTimeout(openTimer);
      clearTimeout(quiet);
      io.input.off("data", onInput);
      io.input.off("end", onEnd);
      if (io.input.isTTY && io.input.setRawMode) io.input.setRawMode(false);
      io.input.pause();
      if (message) io.err(`✗ console ${options.port}: ${message}`);
      resolve(exitCode);
    }
    const armQuiet = () => {
      if (!inputEnded || !open) return;
      clearTimeout(quiet);
      quiet = setTimeout(() => finish(0), quietMs);
    };

    function onInput(chunk: Buffer | string) {
      const text = typeof chunk === "string" ? chunk : chunk.toString("latin1");
      let forward = "";
      for (const ch of text) {
        if (ch === CTRL_BRACKET || (ch === CTRL_C && lastWasCtrlC)) {
          if (forward) send(forward);
          finish(0);
          return;
        }
        lastWasCtrlC = ch === CTRL_C;
        forward += ch;
      }
      send(forward);
    }
    function send(text: string) {
      if (open) link.write(text);
      else pending.push(text);
    }
    function onEnd() {
      inputEnded = true;
      armQuiet();
    }

    link.on("message", (m: DriverMessage) => {
      if (m.type === "open") {
        open = true;
        clearTimeout(openTimer);
        io.err(`connected to ${options.port}${io.input.isTTY ? " (Ctrl-] or Ctrl-C twice to leave)" : ""}`);
        for (const text of pending.splice(0)) link.write(text);
        armQuiet();
      }
      if (m.type === "data") {
        lastWasCtrlC = false;
        io.output.write(Buffer.from(m.data, "latin1"));
        armQuiet();
      }
      if (m.type === "error") finish(1, describePortError(options.port, m.code, m.message));
      if (m.type === "closed") finish(0, undefined);
    });
    void link.exited.then((exitCode) => finish(exitCode === 0 ? 0 : 1, exitCode === 0 ? undefined : `EspruinoTools stopped (exit code ${exitCode})`));

    if (io.input.isTTY && io.input.setRawMode) io.input.setRawMode(true);
    io.input.on("data", onInput);
    io.input.on("end", onEnd);
    io.input.resume();
  });
  await link.close();
  return code;
}
