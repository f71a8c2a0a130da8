// The board's flash: named files that outlive a reboot or a deep sleep of the same
// VirtualBoard (RAM does not), and Espruino's "Storage" module over it.
//
// Behaviour probed on the Linux build of Espruino 2v29 (and jswrap_storage.c):
//  - names longer than 28 characters are cut to 28 silently;
//  - read(name, offset, length) -> string or undefined; readJSON(name, noExceptions) throws
//    the parse error unless noExceptions; a missing file reads as undefined;
//  - write(name, data, offset, size): a string as is, an array / typed array as bytes, a
//    number as ONE byte (42 -> "*"), an object as its JSON; offset 0 creates a new file
//    (of `size` bytes, unwritten bytes read as 0xFF); offset > 0 writes into the existing file;
//  - write of "" throws "Can't create zero length file"; a full flash throws
//    "Unable to find or create file" (it does not return false);
//  - erase of a missing file is silent; list(regex) filters with String.match;
//  - getFree() = total minus files minus erased files not yet compacted (an erased file's
//    space comes back at compaction, which happens when a write would not fit).
// Space: each file costs a 32-byte header plus its data rounded up to 4 bytes (matches the
// probe's numbers to within a few bytes; an estimate, as the sizes are).
import type { Realm } from "./realm";

const HEADER = 32;
const MAX_NAME = 28;

function cost(length: number): number {
  return HEADER + ((length + 3) & ~3);
}

export class FlashStorage {
  readonly size: number;
  private files = new Map<string, string>();
  private trash = 0;

  constructor(size: number) {
    this.size = size;
  }

  used(): number {
    let total = 0;
    this.files.forEach((data) => (total += cost(data.length)));
    return total;
  }

  free(): number {
    return this.size - this.used() - this.trash;
  }

  names(): string[] {
    return [...this.files.keys()];
  }

  get(name: string): string | undefined {
    return this.files.get(name.substr(0, MAX_NAME));
  }

  /** Host-side write (tests, scenarios): no Espruino semantics, just sets the file. */
  set(name: string, data: string): void {
    this.files.set(name.substr(0, MAX_NAME), data);
  }

  delete(name: string): void {
    const key = name.substr(0, MAX_NAME);
    const old = this.files.get(key);
    if (old === undefined) return;
    this.files.delete(key);
    this.trash += cost(old.length);
  }

  /** Replaces a file; false when it cannot fit even after compaction. */
  store(name: string, data: string): boolean {
    const key = name.substr(0, MAX_NAME);
    const old = this.files.get(key);
    const oldCost = old === undefined ? 0 : cost(old.length);
    const need = cost(data.length);
    if (need > this.free()) {
      this.trash = 0; // compaction
      if (need > this.free() + oldCost) return false;
    }
    if (old !== undefined) this.trash += oldCost;
    this.files.set(key, data);
    return true;
  }

  /** Reclaims the space of erased files. */
  compact(): void {
    this.trash = 0;
  }

  /** Everything erased (power-on of a blank board). */
  clear(): void {
    this.files.clear();
    this.trash = 0;
  }

  snapshot(): Record<string, string> {
    return Object.fromEntries(this.files);
  }
}

/** Espruino's value-to-bytes rules for Storage.write (see the top of this file). */
function toData(value: unknown, stringify: (v: unknown) => string): string {
  if (typeof value === "string") return value;
  if (typeof value === "number") return String.fromCharCode(value & 0xff);
  if (value !== null && typeof value === "object" && typeof (value as ArrayLike<number>).length === "number") {
    const list = value as ArrayLike<number>;
    let out = "";
    for (let i = 0; i < list.length; i++) out += String.fromCharCode(Number(list[i]) & 0xff);
    return out;
  }
  if (value === undefined || value === null) return "";
  return stringify(value);
}

/**
 * The "Storage" module as the firmware sees it. `errors` builds exceptions in the board's
 * own realm (so `instanceof Error` holds inside the vm); `json` is the realm's JSON.
 */
export function storageModule(flash: FlashStorage, realm: Pick<Realm, "Error" | "JSON" | "array" | "Uint8Array">): Record<string, unknown> {
  const fail = (message: string) => new realm.Error(message);
  return {
    read(name: string, offset?: number, length?: number): string | undefined {
      const data = flash.get(String(name));
      if (data === undefined) return undefined;
      const start = offset && offset > 0 ? offset : 0;
      return length && length > 0 ? data.substr(start, length) : data.substr(start);
    },
    readJSON(name: string, noExceptions?: boolean): unknown {
      const data = flash.get(String(name));
      if (data === undefined) return undefined;
      try {
        return realm.JSON.parse(data);
      } catch (error) {
        if (noExceptions) return undefined;
        throw error;
      }
    },
    readArrayBuffer(name: string): ArrayBuffer | undefined {
      const data = flash.get(String(name));
      if (data === undefined) return undefined;
      const bytes = new realm.Uint8Array(data.length);
      for (let i = 0; i < data.length; i++) bytes[i] = data.charCodeAt(i) & 0xff;
      return bytes.buffer;
    },
    write(name: string, value: unknown, offset?: number, size?: number): boolean {
      const data = toData(value, (v) => realm.JSON.stringify(v));
      const key = String(name);
      if (offset && offset > 0) {
        const existing = flash.get(key);
        if (existing === undefined) throw fail("Unable to find or create file");
        const merged = existing.substr(0, offset) + data + existing.substr(offset + data.length);
        if (merged.length > existing.length) throw fail("Too much data for file size");
        flash.set(key, merged);
        return true;
      }
      const length = size && size > data.length ? size : data.length;
      if (length === 0) throw fail("Can't create zero length file");
      const padded = data + "\xff".repeat(length - data.length);
      if (!flash.store(key, padded)) throw fail("Unable to find or create file");
      return true;
    },
    writeJSON(name: string, value: unknown): boolean {
      const data = realm.JSON.stringify(value);
      if (!data) throw fail("Can't create zero length file");
      if (!flash.store(String(name), data)) throw fail("Unable to find or create file");
      return true;
    },
    erase(name: string): void {
      flash.delete(String(name));
    },
    eraseAll(): void {
      flash.clear();
    },
    list(regex?: RegExp | string): string[] {
      const names = regex === undefined ? flash.names() : flash.names().filter((n) => n.match(regex as RegExp) !== null);
      return realm.array(names);
    },
    getFree(): number {
      return flash.free();
    },
    getStats(): Record<string, number> {
      const names = flash.names();
      return { totalBytes: flash.size, freeBytes: flash.free(), fileBytes: flash.used(), fileCount: names.length, trashBytes: flash.size - flash.used() - flash.free(), trashCount: 0 };
    },
    compact(): void {
      flash.compact();
    },
  };
}
