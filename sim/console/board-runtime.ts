// The simulated console's runtime backed by a VirtualBoard (sim/board): the code the console
// receives runs with Espruino's full set of globals (net/tls over real sockets, Wifi, I2C on
// simulated devices, Storage on the board's flash), so a flash over TCP boots the uploaded
// node for real and it reaches the broker.
//
//   const { board } = boardFromConfig(config, "", { network: { route } });
//   const sim = boardConsole(board);           // a SimulatedConsole on the board's flash
//   await sim.listen(0);                       // `sensornode flash --port tcp://127.0.0.1:<port>`
//
// How the console's notions map onto the board (Espruino 2v29 semantics, jsinteractive.c):
//  - Storage: the console's storage IS `board.flash`, the flash the firmware's
//    require("Storage") writes to, so `.bootcde` uploaded in chunks is what boots;
//  - reset() / load(): RAM is cleared: E.on('kill') handlers run (the node publishes its
//    retained `offline`), the boot stops and its sockets are closed (jsiKill closes them);
//  - after reset(): a blank boot (no code), started when the next REPL line needs RAM;
//  - load() / power-on: the board boots with `.bootcde` as its code (VirtualBoard runs it,
//    then E.on('init')); a reboot the board makes on its own (E.reboot(), watchdog, deep
//    sleep) also runs the `.bootcde` stored at that moment, as on a real board;
//  - REPL lines: evaluated in the running boot's global scope (an indirect eval in its realm);
//    reset() and load() there are the console's;
//  - output: every line the board prints (print, console.log, "Uncaught ...") reaches the console.
// The VirtualBoard keeps its own process.env (its profile's); the console's `kind` follows the board.
import { VirtualBoard } from "../board/board";
import { BoardHalted } from "../board/runtime";
import { inspect, type BoardRuntime, type RuntimeFactory, type RuntimeHost } from "./runtime";
import { SimulatedConsole, type SimulatedConsoleOptions } from "./server";

/** A RuntimeFactory whose every "RAM" is a boot of `board`. The console's storage must be `board.flash`. */
export function virtualBoardRuntime(board: VirtualBoard): RuntimeFactory {
  let host: RuntimeHost | undefined;
  /** Our own blank boots keep their empty code; any other boot runs the stored `.bootcde`. */
  let blank = false;
  board.onEvent((event) => {
    if (event.type === "log") host?.print(String(event.text));
    // VirtualBoard emits "boot" before it runs its code (board.ts powerOn): the board's own
    // reboots pick up what is in flash now.
    if (event.type === "boot" && !blank) board.flashCode(board.flash.get(".bootcde") ?? "");
  });

  /** Starts a boot of the board with `code` (sockets of the previous one are already closed by stop()). */
  const bootWith = (code: string, isBlank: boolean) => {
    blank = isBlank;
    try {
      board.flashCode(code);
      if (board.state === "off" && board.boots === 0) board.start();
      else board.reboot();
    } finally {
      blank = false;
    }
    const global = board.global;
    if (!global) return;
    // The console's reset() and load() (VirtualBoard's reset() reboots into the code instead).
    const define = (name: string, value: unknown) => Object.defineProperty(global, name, { value, writable: true, configurable: true, enumerable: false });
    define("reset", () => host?.reset());
    define("load", () => host?.load());
  };

  return (current) => {
    if (current.storage !== board.flash) {
      throw new Error("virtualBoardRuntime: the console's storage must be the board's flash (new SimulatedConsole({ storage: board.flash, ... }), or use boardConsole(board))");
    }
    host = current;
    let fresh = true; // this RAM has not booted yet
    const runtime: BoardRuntime = {
      evaluate(code, filename) {
        if (filename === ".bootcde") {
          fresh = false;
          bootWith(code, false);
          return undefined;
        }
        if (fresh) {
          fresh = false;
          bootWith("", true);
        }
        const global = board.global;
        if (!global) throw new Error(`the board is ${board.state} (no RAM to run this line in)`);
        try {
          // An indirect eval: the line runs in the board realm's global scope, as a REPL line does.
          const evaluate = global.eval as (source: string) => unknown;
          return evaluate(code);
        } catch (error) {
          if (error instanceof BoardHalted) return undefined; // E.reboot(), deep sleep: the board took over
          throw error;
        }
      },
      stop() {
        if (board.state !== "running") return;
        const sockets = board.sockets;
        board.shutdown(); // E.on('kill') handlers, then the RAM is gone
        sockets.forEach((socket) => socket.drop());
      },
      inspect,
    };
    return runtime;
  };
}

/** A SimulatedConsole running on `board`: its storage is the board's flash, its runtime the board. */
export function boardConsole(board: VirtualBoard, options: Omit<SimulatedConsoleOptions, "storage" | "runtime" | "kind" | "dropStorageWrites"> = {}): SimulatedConsole {
  return new SimulatedConsole({ ...options, kind: board.kind, storage: board.flash, runtime: virtualBoardRuntime(board) });
}
