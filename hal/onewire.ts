// A 1-Wire bus (Maxim application note 126 for the protocol). ROM codes are 16 lowercase
// hex digits, byte 0 (the family code) first: the format Espruino's OneWire.search returns,
// which costs one string variable per device instead of an 8-element array.

export interface OneWireBus {
  /** Reset pulse; true when at least one device answered with a presence pulse. */
  reset(): boolean;
  /** Reset, then MATCH ROM (0x55) with `rom`: only that device listens until the next reset. */
  select(rom: string): void;
  /** SKIP ROM (0xCC): every device listens. Call after reset(). */
  skip(): void;
  /** Writes bytes; `power` keeps the line driven high afterwards (parasite-powered devices). */
  write(bytes: number | number[] | Uint8Array, power?: boolean): void;
  /** Reads `count` bytes. */
  read(count: number): Uint8Array;
  /** ROM codes of every device on the bus (SEARCH ROM 0xF0, or `command` e.g. 0xEC alarm search). */
  search(command?: number): string[];
}

/** ROM string -> 8 bytes (byte 0 = family code). Undefined when not 16 hex digits. */
export function romBytes(rom: unknown): Uint8Array | undefined {
  if (typeof rom !== "string" || rom.length !== 16) return undefined;
  const bytes = new Uint8Array(8);
  for (let i = 0; i < 16; i++) {
    const digit = "0123456789abcdef".indexOf(rom.charAt(i).toLowerCase());
    if (digit < 0) return undefined;
    bytes[i >> 1] = (bytes[i >> 1]! << 4) | digit;
  }
  return bytes;
}
