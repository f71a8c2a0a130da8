// PUBACK (3.4), PUBREC (3.5), PUBREL (3.6), PUBCOMP (3.7) and UNSUBACK (3.11): a fixed
// header and a packet identifier, nothing more (Remaining Length 2). Decoded in decode.ts.
import { requiredFlags } from "./constants";
import type { AckPacket } from "./packet";

/** PUBREL carries flags 0010 [MQTT-3.6.1-1]; the others 0000. */
export function encodeAck(type: AckPacket["type"], id: number): Uint8Array {
  return new Uint8Array([(type << 4) | requiredFlags(type), 2, (id >> 8) & 255, id & 255]);
}
