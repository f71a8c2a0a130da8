// Byte helpers shared by the per-packet encoders and decoders. Few of them, on purpose: on
// the ESP8266 every function alive costs ~4 variables + 1 per parameter, so a 16-bit value
// is written in place (`out.set([value >> 8, value & 255], at)`, 1.5.2 big-endian).
import { writeLength } from "./length";

/**
 * Allocates a whole packet and writes its fixed header (2.2): byte 1, then the Remaining
 * Length. The variable header and payload go in the last `remaining` bytes.
 */
export function packetWithHeader(first: number, remaining: number): Uint8Array {
  // The header is written into a scratch array first: where writeLength ends is its size.
  const header = new Uint8Array(5);
  header[0] = first;
  const size = writeLength(header, 1, remaining);
  const out = new Uint8Array(size + remaining);
  out.set(header.subarray(0, size), 0);
  return out;
}

/** Writes a two-byte length and the bytes (1.5.3 strings, 3.1.3.3 binary fields); returns the offset after them. */
export function writeField(out: Uint8Array, offset: number, data: Uint8Array): number {
  out.set([data.length >> 8, data.length & 255], offset);
  out.set(data, offset + 2);
  return offset + 2 + data.length;
}

export function readU16(bytes: Uint8Array, offset: number): number {
  return (bytes[offset]! << 8) | bytes[offset + 1]!;
}

/**
 * Reads a length-prefixed field at `offset` as a view into `bytes`, or undefined if it runs
 * past the end. The caller advances by 2 + field.length.
 */
export function readField(bytes: Uint8Array, offset: number): Uint8Array | undefined {
  if (offset + 2 > bytes.length) return undefined;
  const end = offset + 2 + readU16(bytes, offset);
  if (end > bytes.length) return undefined;
  return bytes.subarray(offset + 2, end);
}
