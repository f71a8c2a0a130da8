// Byte helpers shared by the per-packet encoders and decoders.
import { lengthSize, writeLength } from "./length";
import { encodeUtf8 } from "./utf8";
import type { Payload } from "./packet";

/** Strings become UTF-8; byte arrays pass through untouched. */
export function toBytes(data: Payload): Uint8Array {
  return typeof data === "string" ? encodeUtf8(data) : data;
}

/**
 * Allocates a whole packet and writes its fixed header (2.2): byte 1, then the Remaining
 * Length. The variable header and payload go in the last `remaining` bytes.
 */
export function packetWithHeader(first: number, remaining: number): Uint8Array {
  const out = new Uint8Array(1 + lengthSize(remaining) + remaining);
  out[0] = first;
  writeLength(out, 1, remaining);
  return out;
}

/** Writes a big-endian 16-bit integer (1.5.2); returns the offset after it. */
export function writeU16(out: Uint8Array, offset: number, value: number): number {
  out[offset] = (value >> 8) & 255;
  out[offset + 1] = value & 255;
  return offset + 2;
}

/** Writes a two-byte length and the bytes (1.5.3 strings, 3.1.3.3 binary fields). */
export function writeField(out: Uint8Array, offset: number, data: Uint8Array): number {
  offset = writeU16(out, offset, data.length);
  out.set(data, offset);
  return offset + data.length;
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
