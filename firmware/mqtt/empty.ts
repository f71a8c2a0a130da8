// PINGREQ (3.12), PINGRESP (3.13), DISCONNECT (3.14): a fixed header with Remaining Length 0.
// Decoded in decode.ts.
import type { EmptyPacket } from "./packet";

export function encodeEmpty(type: EmptyPacket["type"]): Uint8Array {
  return new Uint8Array([type << 4, 0]);
}
