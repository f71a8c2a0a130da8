// What runs the JavaScript the simulated console receives: REPL lines and the boot code.
//
// Two runtimes fit the seam below:
//  - `virtualBoardRuntime` (board-runtime.ts): a VirtualBoard (sim/board) with Espruino's
//    globals in full (I2C, pins, net/tls over real sockets, Wifi): the uploaded node boots
//    and reaches the broker. Use it (or `boardConsole(board)`) to flash a real node.
//  - `minimalRuntime` (here): a small stand-in for the upload mechanics tests: print /
//    console.log, timers, require("Storage") over the console's storage, process.env,
//    E.setBootCode / E.getBootCode, reset() / load(). Nothing else (require("net"), I2C1,
//    `global`...), so only a firmware that just prints (test/flash/fixtures/boot.ts) runs here.
import vm from "node:vm";

/** Named files that outlive a reset (the board's flash). sim/board/flash.ts FlashStorage fits. */
export interface ConsoleStorage {
  get(name: string): string | undefined;
  set(name: string, data: string): void;
  delete(name: string): void;
  names(): string[];
}

/** What a runtime can ask of the console it runs in. */
export interface RuntimeHost {
  /** One line of output (print / console.log), without the line ending. */
  print(text: string): void;
  storage: ConsoleStorage;
  /** process.env as the board reports it. */
  env: Record<string, unknown>;
  /** reset(): clear RAM, print the banner (never runs the boot code). */
  reset(): void;
  /** load(): clear RAM, run .bootcde (deferred until the console is idle, as on Espruino). */
  load(): void;
  /** Called when a timer callback or the boot code throws: printed as "Uncaught ..." */
  uncaught(error: unknown): void;
}

export interface BoardRuntime {
  /** Runs one REPL line or the boot code in the board's global scope; returns its value. */
  evaluate(code: string, filename: string): unknown;
  /** Stops every timer: the RAM is about to be cleared. */
  stop(): void;
  /** How the REPL shows a value after "=" (Espruino prints objects as `{ a: 1 }`). */
  inspect(value: unknown): string;
}

export type RuntimeFactory = (host: RuntimeHost) => BoardRuntime;

/** Storage on a plain Map, for a console without a VirtualBoard. */
export class MemoryStorage implements ConsoleStorage {
  private files = new Map<string, string>();
  get(name: string): string | undefined {
    return this.files.get(name);
  }
  set(name: string, data: string): void {
    this.files.set(name, data);
  }
  delete(name: string): void {
    this.files.delete(name);
  }
  names(): string[] {
    return [...this.files.keys()];
  }
}

/**
 * require("Storage") with the semantics the upload relies on (probed on Espruino 2v29 Linux):
 * write(name, data, 0, size) creates a file of `size` bytes (unwritten bytes read as 0xFF) and
 * throws "Too much data for file size" when data is longer; write(name, data, offset) with
 * offset > 0 writes into the existing file. So a chunked upload replaces the old file.
 */
export function storageModule(storage: ConsoleStorage) {
  return {
    write(name: string, data: unknown, offset?: number, size?: number): boolean {
      const text = typeof data === "string" ? data : JSON.stringify(data);
      if (!offset) {
        const length = size ?? text.length;
        if (text.length > length) throw new Error("Too much data for file size");
        if (length === 0) throw new Error("Can't create zero length file");
        storage.set(name, text + "\xff".repeat(length - text.length));
        return true;
      }
      const old = storage.get(name);
      if (old === undefined || offset + text.length > old.length) throw new Error("Too much data for file size");
      storage.set(name, old.slice(0, offset) + text + old.slice(offset + text.length));
      return true;
    },
    read(name: string): string | undefined {
      return storage.get(name);
    },
    readJSON(name: string, noExceptions?: boolean): unknown {
      const text = storage.get(name);
      if (text === undefined) return undefined;
      try {
        return JSON.parse(text);
      } catch (error) {
        if (noExceptions) return undefined;
        throw error;
      }
    },
    erase(name: string): void {
      storage.delete(name);
    },
    eraseAll(): void {
      for (const name of storage.names()) storage.delete(name);
    },
    list(pattern?: RegExp | string): string[] {
      return storage.names().filter((name) => (pattern === undefined ? true : name.match(pattern) !== null));
    },
  };
}

/** The stand-in runtime: one node:vm context per boot (see the SEAM note above). */
export const minimalRuntime: RuntimeFactory = (host) => {
  const timers = new Set<NodeJS.Timeout>();
  const text = (args: unknown[]) => args.map((a) => (typeof a === "string" ? a : inspect(a))).join(" ");
  const guard = (fn: (...a: unknown[]) => unknown, args: unknown[]) => {
    try {
      fn(...args);
    } catch (error) {
      host.uncaught(error);
    }
  };
  const modules: Record<string, unknown> = { Storage: storageModule(host.storage) };
  const sandbox = {
    print: (...args: unknown[]) => host.print(text(args)),
    console: { log: (...args: unknown[]) => host.print(text(args)) },
    setTimeout: (fn: (...a: unknown[]) => unknown, ms?: number, ...args: unknown[]) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        guard(fn, args);
      }, ms ?? 0);
      timers.add(timer);
      return timer;
    },
    setInterval: (fn: (...a: unknown[]) => unknown, ms?: number, ...args: unknown[]) => {
      const timer = setInterval(() => guard(fn, args), Math.max(ms ?? 0, 1));
      timers.add(timer);
      return timer;
    },
    clearTimeout: (timer: NodeJS.Timeout) => {
      if (timer === undefined) throw new Error("clearTimeout(undefined)"); // design.md §3: it throws on Espruino
      clearTimeout(timer);
      timers.delete(timer);
    },
    clearInterval: (timer: NodeJS.Timeout) => {
      clearInterval(timer);
      timers.delete(timer);
    },
    require: (name: string) => {
      if (name in modules) return modules[name];
      throw new Error(`Module "${name}" not found (the simulated console runs without a VirtualBoard)`);
    },
    process: { env: host.env, version: host.env.VERSION, memory: () => ({ free: 1000, usage: 0, total: 1000 }) },
    E: {
      setBootCode: (code: string) => {
        if (code) host.storage.set(".bootcde", String(code));
        else host.storage.delete(".bootcde");
      },
      getBootCode: () => host.storage.get(".bootcde"),
      toString: (...args: unknown[]) => args.map((a) => (typeof a === "string" ? a : String.fromCharCode(...(a as number[])))).join(""),
    },
    reset: () => host.reset(),
    load: () => host.load(),
    getTime: () => Date.now() / 1000,
  };
  const context = vm.createContext(sandbox);
  return {
    evaluate: (code, filename) => vm.runInContext(code, context, { filename }),
    stop: () => {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
    },
    inspect,
  };
};

/** Espruino's REPL format: strings quoted, objects as `{ a: 1 }`. */
export function inspect(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (value === undefined || value === null || typeof value !== "object") return String(value);
  if (Array.isArray(value)) return `[ ${value.map(inspect).join(", ")} ]`;
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 0) return "{ }";
  return `{ ${entries.map(([k, v]) => `${k}: ${inspect(v)}`).join(", ")} }`;
}
