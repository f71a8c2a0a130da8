// PINGREQ (3.12), PINGRESP (3.13), DISCONNECT (3.14): a fixed header with Remaining Length 0.
import type { Decoded, EmptyPacket } from "./packet";

export function encodeEmpty(type: EmptyPacket["type"]): Uint8Array {
  return new Uint8Array([type << 4, 0]);
}

export function decodeEmpty(type: EmptyPacket["type"], body: Uint8Array): Decoded<EmptyPacket> {
  return body.length === 0 ? { type } : "length not 0";
}
