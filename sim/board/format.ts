// How Espruino prints values: print()/console.log join their arguments with spaces, strings
// raw, other values in Espruino's own JSON-like form (measured on 2v29:
// console.log({a:1}) -> '{ "a": 1 }', a Uint8Array -> 'new Uint8Array([1, 2])',
// undefined -> 'undefined'). Objects are printed on one line here (Espruino breaks long ones
// over lines); the log is for people and tests, not a byte-exact console.

function inner(value: unknown, depth: number): string {
  if (value === undefined) return "undefined";
  if (value === null) return "null";
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (typeof value === "function") return "function () { ... }";
  if (depth > 4) return "...";
  if (ArrayBuffer.isView(value)) {
    const name = Object.getPrototypeOf(value)?.constructor?.name ?? "Uint8Array";
    return `new ${name}([${Array.prototype.join.call(value, ", ")}])`;
  }
  if (Array.isArray(value)) return value.length ? `[ ${value.map((v) => inner(v, depth + 1)).join(", ")} ]` : "[  ]";
  if (value instanceof Object && "message" in value && "stack" in value) return errorText(value);
  const keys = Object.keys(value as object);
  if (!keys.length) return "{  }";
  return `{ ${keys.map((k) => `${JSON.stringify(k)}: ${inner((value as Record<string, unknown>)[k], depth + 1)}`).join(", ")} }`;
}

export function formatValue(value: unknown): string {
  return typeof value === "string" ? value : inner(value, 0);
}

export function formatArgs(args: unknown[]): string {
  return args.map(formatValue).join(" ");
}

/** "Error: message" (Espruino's Error.toString), or the thrown value itself. */
export function errorText(error: unknown): string {
  if (error && typeof error === "object" && "message" in error) {
    const ctor = (error as { constructor?: { name?: string } }).constructor?.name;
    const type = (error as { type?: string }).type ?? (ctor && ctor !== "Object" ? ctor : "Error");
    return `${type}: ${String((error as { message: unknown }).message)}`;
  }
  return formatValue(error);
}
