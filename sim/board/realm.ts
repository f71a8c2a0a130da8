// One boot's JavaScript realm: a node:vm context that holds ONLY Espruino's globals.
//
// A fresh context has V8's built-ins; the ones Espruino 2v29 does not have are deleted, so
// a bundle that uses them fails here as on the board (measured on the Linux build: typeof
// Map, Set, Symbol, Intl, BigInt, Array.from, Object.freeze, Promise.race, Number.isInteger,
// Math.trunc, Promise.prototype.finally are all "undefined" there; design.md §3 has the rest).
// Node's own globals (Buffer, process.nextTick, setImmediate, require("fs"), TextEncoder)
// never enter the context. `describeMissing` turns the resulting ReferenceError / TypeError
// into a sentence that names what was missing and why.
import vm from "node:vm";

/** Values made inside the realm, so `instanceof` and prototypes behave in the firmware. */
export interface Realm {
  context: vm.Context;
  global: Record<string, unknown>;
  Error: ErrorConstructor;
  TypeError: ErrorConstructor;
  ReferenceError: ErrorConstructor;
  JSON: JSON;
  Uint8Array: Uint8ArrayConstructor;
  /** An Array of the realm holding `items`. */
  array<T>(items: ArrayLike<T>): T[];
  /** A plain object of the realm with the properties of `source` (shallow). */
  object<T extends object>(source: T): T;
  /** Runs `code` as a script named `filename`. */
  run(code: string, filename: string): unknown;
}

/** Globals V8 puts in every context that Espruino 2v29 does not have. */
export const MISSING_GLOBALS = [
  "Map", "Set", "WeakMap", "WeakSet", "WeakRef", "FinalizationRegistry", "Symbol", "Proxy", "Reflect",
  "BigInt", "BigInt64Array", "BigUint64Array", "Intl", "SharedArrayBuffer", "Atomics", "WebAssembly",
  "AggregateError", "Iterator", "queueMicrotask", "structuredClone",
];

/** Static and prototype members V8 has and Espruino 2v29 lacks (design.md §3, probed). */
export const MISSING_MEMBERS: [string, string][] = [
  ["Array", "from"], ["Array", "of"], ["Object", "freeze"], ["Number", "isFinite"], ["Number", "isInteger"],
  ["Math", "trunc"], ["Math", "log2"], ["Math", "hypot"], ["Promise", "race"], ["Promise", "allSettled"],
  ["Promise.prototype", "finally"], ["Array.prototype", "at"], ["Array.prototype", "flat"],
];

/** Node globals a bundle might reach for, and what to use on Espruino instead. */
const NODE_HINTS: Record<string, string> = {
  Buffer: "Buffer is a Node API; Espruino has Uint8Array, E.toString(bytes) and E.toUint8Array(string)",
  process: "this process member is a Node API; Espruino's process has env, memory(), version and on()",
  setImmediate: "setImmediate is a Node API; use setTimeout(fn, 0)",
  queueMicrotask: "queueMicrotask does not exist on Espruino; use setTimeout(fn, 0)",
  TextEncoder: "TextEncoder does not exist on Espruino; encode UTF-8 by hand",
  TextDecoder: "TextDecoder does not exist on Espruino; decode UTF-8 by hand",
  Map: "Map does not exist on Espruino 2v29; use a plain object",
  Set: "Set does not exist on Espruino 2v29; use an object or an array",
  WeakMap: "WeakMap does not exist on Espruino 2v29",
  Symbol: "Symbol does not exist on Espruino 2v29",
  Proxy: "Proxy does not exist on Espruino 2v29",
  Reflect: "Reflect does not exist on Espruino 2v29",
  module: "module/exports are CommonJS: the bundle must be one IIFE",
  exports: "module/exports are CommonJS: the bundle must be one IIFE",
  __dirname: "__dirname is a Node API",
  __filename: "__filename is a Node API",
  global: "",
};

/** Node modules that a bundle might require(). */
export const NODE_MODULES = ["fs", "path", "os", "events", "buffer", "stream", "util", "child_process", "crypto", "http", "https", "url", "dns", "zlib"];

export function createRealm(extraGlobals: Record<string, unknown>, options: { keepMembers?: boolean } = {}): Realm {
  const context = vm.createContext({}, { codeGeneration: { strings: true, wasm: false } });
  // Capture what the helpers need before the built-ins Espruino lacks are removed.
  const helpers = vm.runInContext(
    `(function () {
      var from = Array.from, assign = Object.assign;
      return {
        Error: Error, TypeError: TypeError, ReferenceError: ReferenceError, JSON: JSON, Uint8Array: Uint8Array,
        array: function (items) { return from(items); },
        object: function (source) { return assign({}, source); },
      };
    })()`,
    context,
  ) as Omit<Realm, "context" | "global" | "run">;
  const global = vm.runInContext("this", context) as Record<string, unknown>;
  for (const name of MISSING_GLOBALS) delete global[name];
  if (!options.keepMembers) {
    for (const [owner, member] of MISSING_MEMBERS) {
      const target = owner.split(".").reduce<any>((o, k) => (o ? o[k] : undefined), global);
      if (target) delete target[member];
    }
  }
  // Espruino's global object is `global` (and `globalThis`, which 2v29 also has).
  Object.defineProperty(global, "global", { value: global, writable: true, configurable: true, enumerable: false });
  for (const [name, value] of Object.entries(extraGlobals)) {
    Object.defineProperty(global, name, { value, writable: true, configurable: true, enumerable: false });
  }
  return {
    ...helpers,
    context,
    global,
    run(code: string, filename: string): unknown {
      return vm.runInContext(code, context, { filename });
    },
  };
}

/**
 * For an error thrown by the firmware: a sentence naming the Node (or modern JS) API it
 * reached for, or undefined when the error is about something else.
 */
export function describeMissing(error: unknown): string | undefined {
  const message = String((error as { message?: unknown })?.message ?? error);
  let match = /^"?([A-Za-z_$][\w$]*)"? is not defined/.exec(message);
  if (match) {
    const name = match[1]!;
    const hint = NODE_HINTS[name];
    if (hint !== undefined && hint !== "") return `${name} is missing on this board: ${hint}`;
    if (MISSING_GLOBALS.includes(name)) return `${name} is missing on this board: Espruino 2v29 has no ${name}`;
    return `${name} is missing on this board (not an Espruino global)`;
  }
  match = /([\w$.]+) is not a function/.exec(message);
  if (match) {
    const name = match[1]!;
    if (/^process\./.test(name)) return `${name} is missing on this board: ${NODE_HINTS.process}`;
    const member = MISSING_MEMBERS.find(([owner, m]) => name === `${owner}.${m}` || name.endsWith(`.${m}`));
    if (member) return `${member[0]}.${member[1]} is missing on this board: Espruino 2v29 does not have it`;
  }
  match = /^Module "([^"]+)" not found/.exec(message);
  if (match && NODE_MODULES.includes(match[1]!)) return `require("${match[1]}") is missing on this board: "${match[1]}" is a Node module`;
  return undefined;
}
