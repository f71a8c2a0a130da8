// PUBLISH (3.3).
import { PUBLISH } from "./constants";
import type { Decoded, PublishPacket } from "./packet";
import { decodeUtf8 } from "./utf8";
import { packetWithHeader, readField, readU16, writeField, writeU16 } from "./wire";

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
  let at = writeField(out, out.length - remaining, topic);
  if (qos > 0) at = writeU16(out, at, id);
  out.set(payload, at);
  return out;
}

/** Decodes a PUBLISH body; `flags` is the low nibble of byte 1. The payload is a view into `body`. */
export function decodePublish(flags: number, body: Uint8Array): Decoded<PublishPacket> {
  const qos = (flags >> 1) & 3;
  // Short messages: they are bundled into the board's firmware.
  if (qos === 3) return "PUBLISH QoS 3";
  const field = readField(body, 0);
  if (!field) return "PUBLISH topic length";
  // [MQTT-3.3.2-1]: the topic is a UTF-8 string; ill-formed or U+0000 closes [MQTT-1.5.3-1, -2].
  const topic = decodeUtf8(field, 0, field.length);
  if (topic === undefined) return "PUBLISH topic UTF-8";
  let at = 2 + field.length;
  let id = 0;
  if (qos > 0) {
    if (at + 2 > body.length) return "PUBLISH packet id";
    id = readU16(body, at);
    at += 2;
    if (id === 0) return "PUBLISH packet id 0";
  }
  return { type: PUBLISH, topic, payload: body.subarray(at), qos, retain: (flags & 1) === 1, dup: (flags & 8) === 8, id };
}
