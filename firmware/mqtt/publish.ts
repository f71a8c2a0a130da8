// PUBLISH (3.3). Decoded in decode.ts, with what else a server sends.
import { PUBLISH } from "./constants";
import { packetWithHeader, writeField } from "./wire";

/**
 * Encodes PUBLISH from an already UTF-8 encoded topic. Byte 1 carries DUP (bit 3), QoS
 * (bits 2-1) and RETAIN (bit 0) (3.3.1); the packet identifier is present only when
 * qos > 0 [MQTT-2.3.1-5]. DUP must be 0 for QoS 0 [MQTT-3.3.1-2]: the caller never sets it.
 */
export function encodePublish(
  topic: Uint8Array,
  payload: Uint8Array,
  qos: number,
  retain: boolean,
  dup: boolean,
  id: number,
): Uint8Array {
  const remaining = 2 + topic.length + (qos > 0 ? 2 : 0) + payload.length;
  const out = packetWithHeader((PUBLISH << 4) | (dup ? 8 : 0) | (qos << 1) | (retain ? 1 : 0), remaining);
  const at = writeField(out, out.length - remaining, topic);
  if (qos > 0) out.set([id >> 8, id & 255], at);
  out.set(payload, qos > 0 ? at + 2 : at);
  return out;
}
