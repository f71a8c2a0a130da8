// SUBSCRIBE (3.8), SUBACK (3.9), UNSUBSCRIBE (3.10). SUBACK is decoded in decode.ts.
import { SUBACK, SUBSCRIBE, UNSUBSCRIBE } from "./constants";
import type { Decoded, SubscribePacket, Subscription, UnsubscribePacket } from "./packet";
import { decodeUtf8, encodeUtf8 } from "./utf8";
import { packetWithHeader, readField, readU16, writeField } from "./wire";

/**
 * Encodes SUBSCRIBE: flags 0010 [MQTT-3.8.1-1], packet identifier, then at least one
 * filter/QoS pair [MQTT-3.8.3-3]; the QoS byte's upper six bits are reserved 0 [MQTT-3.8.3-4].
 * With `unsubscribe` set it encodes UNSUBSCRIBE instead (3.10: the same shape without the
 * QoS bytes, flags 0010 [MQTT-3.10.1-1]) — one function keeps the client smaller.
 */
export function encodeSubscribe(id: number, subscriptions: Subscription[], unsubscribe?: boolean): Uint8Array {
  const topics: Uint8Array[] = [];
  let remaining = 2;
  subscriptions.forEach((s) => {
    const topic = encodeUtf8(s.topic);
    topics.push(topic);
    remaining += (unsubscribe ? 2 : 3) + topic.length;
  });
  const out = packetWithHeader(((unsubscribe ? UNSUBSCRIBE : SUBSCRIBE) << 4) | 2, remaining);
  let at = out.length - remaining;
  out.set([id >> 8, id & 255], at);
  at += 2;
  topics.forEach((topic, i) => {
    at = writeField(out, at, topic);
    if (!unsubscribe) out[at++] = subscriptions[i]!.qos;
  });
  return out;
}

/** Encodes UNSUBSCRIBE (3.10) for a list of filters. */
export function encodeUnsubscribe(id: number, topics: string[]): Uint8Array {
  return encodeSubscribe(
    id,
    topics.map((topic) => ({ topic, qos: 0 })),
    true,
  );
}

/** Decodes SUBSCRIBE (server side) or, with `unsubscribe`, UNSUBSCRIBE. */
function decodeFilters(body: Uint8Array, unsubscribe: boolean): Decoded<Subscription[]> {
  const list: Subscription[] = [];
  let at = 2;
  while (at < body.length) {
    const field = readField(body, at);
    const topic = field && decodeUtf8(field, 0, field.length);
    if (!field || topic === undefined) return "bad topic filter";
    at += 2 + field.length;
    let qos = 0;
    if (!unsubscribe) {
      if (at >= body.length) return "SUBSCRIBE: missing QoS";
      qos = body[at++]!;
      if (qos > 2) return "SUBSCRIBE: bad QoS byte [MQTT-3.8.3-4]";
    }
    list.push({ topic, qos });
  }
  if (list.length === 0) return "no topic filter [MQTT-3.8.3-3, MQTT-3.10.3-2]";
  return list;
}

export function decodeSubscribe(body: Uint8Array): Decoded<SubscribePacket> {
  if (body.length < 2) return "SUBSCRIBE: no packet identifier";
  const list = decodeFilters(body, false);
  if (typeof list === "string") return "SUBSCRIBE: " + list;
  return { type: SUBSCRIBE, id: readU16(body, 0), subscriptions: list };
}

export function decodeUnsubscribe(body: Uint8Array): Decoded<UnsubscribePacket> {
  if (body.length < 2) return "UNSUBSCRIBE: no packet identifier";
  const list = decodeFilters(body, true);
  if (typeof list === "string") return "UNSUBSCRIBE: " + list;
  return { type: UNSUBSCRIBE, id: readU16(body, 0), topics: list.map((s) => s.topic) };
}

/** Encodes SUBACK: packet identifier, then one return code per filter [MQTT-3.8.4-5]. */
export function encodeSuback(id: number, granted: number[]): Uint8Array {
  const out = packetWithHeader(SUBACK << 4, 2 + granted.length);
  out.set([id >> 8, id & 255].concat(granted), out.length - 2 - granted.length);
  return out;
}
