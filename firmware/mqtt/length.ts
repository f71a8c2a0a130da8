// Remaining Length (2.2.3): 7 bits per byte, least significant group first, the top bit
// says "another byte follows"; at most four bytes, so at most 268,435,455.
// Shifts and literals only: Math.pow is inexact on Espruino.

/** Bytes needed to encode `value` (1..4). */
export function lengthSize(value: number): number {
  return value < 128 ? 1 : value < 16384 ? 2 : value < 2097152 ? 3 : 4;
}

/** Writes `value` at `offset`; returns the offset after it. */
export function writeLength(out: Uint8Array, offset: number, value: number): number {
  do {
    let digit = value & 127;
    value = value >>> 7;
    if (value > 0) digit = digit | 128;
    out[offset++] = digit;
  } while (value > 0);
  return offset;
}

/**
 * Reads a Remaining Length starting at `offset`, looking no further than `end`.
 * Returns the value, -1 when more bytes are needed, or -2 when a fifth byte would be
 * needed (malformed: "the maximum number of bytes in the Remaining Length field is four").
 * The number of bytes used is not implied by the value (3.1.1 does not demand the shortest
 * encoding), so callers that need it count continuation bits themselves (see framer.ts).
 */
export function readLength(bytes: Uint8Array, offset: number, end: number): number {
  let value = 0;
  for (let i = 0; i < 4; i++) {
    if (offset + i >= end) return -1;
    const digit = bytes[offset + i]!;
    value += (digit & 127) << (7 * i);
    if (digit < 128) return value;
  }
  return -2;
}
