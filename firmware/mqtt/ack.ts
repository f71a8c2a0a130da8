// PUBACK (3.4), PUBREC (3.5), PUBREL (3.6), PUBCOMP (3.7) and UNSUBACK (3.11): a fixed
// header and a packet identifier, nothing more (Remaining Length 2).
import { requiredFlags } from "./constants";
import type { AckPacket, Decoded } from "./packet";

/** PUBREL carries flags 0010 [MQTT-3.6.1-1]; the others 0000. */
export function encodeAck(type: AckPacket["type"], id: number): Uint8Array {
  return new Uint8Array([(type << 4) | requiredFlags(type), 2, (id >> 8) & 255, id & 255]);
}

export function decodeAck(type: AckPacket["type"], body: Uint8Array): Decoded<AckPacket> {
  if (body.length !== 2) return "ack length";
  const id = (body[0]! << 8) | body[1]!;
  // Identifiers are non-zero [MQTT-2.3.1-1], so an ack of 0 acknowledges nothing we sent.
  if (id === 0) return "ack packet id 0";
  return { type, id };
}
