// Turns one framed packet (byte 1 and the body, see framer.ts) into a packet object, or a
// string saying why it is malformed: the caller then closes the connection [MQTT-4.8.0-1].
// Nothing here throws on any input.
//
// The packets a server sends are decoded in one function, not one per packet: on the
// ESP8266 every function alive costs ~4 variables + 1 per parameter, and this is the part
// of the codec a board bundles. What only a server reads (CONNECT, SUBSCRIBE, UNSUBSCRIBE)
// stays in its packet's file.
import {
  CONNACK,
  CONNECT,
  DISCONNECT,
  PINGREQ,
  PINGRESP,
  PUBACK,
  PUBCOMP,
  PUBLISH,
  requiredFlags,
  SUBACK,
  SUBSCRIBE,
  SUBSCRIBE_FAILURE,
  UNSUBACK,
  UNSUBSCRIBE,
} from "./constants";
import { decodeConnect } from "./connect";
import type { AckPacket, Decoded, EmptyPacket, Packet } from "./packet";
import { decodeSubscribe, decodeUnsubscribe } from "./subscribe";
import { decodeUtf8 } from "./utf8";

/**
 * Decodes the packets a server may send to a client: CONNACK, PUBLISH, PUBACK, PUBREC,
 * PUBREL, PUBCOMP, SUBACK, UNSUBACK, PINGRESP. Anything else from a server is a protocol
 * violation. This is all the client bundles.
 */
export function decodeServerPacket(first: number, body: Uint8Array): Decoded<Packet> {
  const type = first >> 4;
  const flags = first & 15;
  const size = body.length;
  // The two bytes every packet but PINGRESP starts its variable header with (1.5.2, big-endian).
  const word = size >= 2 ? (body[0]! << 8) | body[1]! : 0;
  // Reserved flag bits must match 2.2.2 Table 2.2 [MQTT-2.2.2-1]; else close [MQTT-2.2.2-2].
  if (type !== PUBLISH && flags !== requiredFlags(type)) return "bad flags, type " + type;

  if (type === PUBLISH) {
    // 3.3: byte 1 carries DUP (bit 3), QoS (bits 2-1), RETAIN (bit 0). Short messages: they
    // are bundled into the board's firmware.
    const qos = (flags >> 1) & 3;
    if (qos === 3) return "PUBLISH QoS 3";
    if (size < 2 || 2 + word > size) return "PUBLISH topic length";
    // [MQTT-3.3.2-1]: the topic is a UTF-8 string; ill-formed or U+0000 closes [MQTT-1.5.3-1, -2].
    const topic = decodeUtf8(body, 2, 2 + word);
    if (topic === undefined) return "PUBLISH topic UTF-8";
    let at = 2 + word;
    let id = 0;
    // The packet identifier is present only when qos > 0 [MQTT-2.3.1-5], and never 0 [MQTT-2.3.1-1].
    if (qos > 0) {
      if (at + 2 > size) return "PUBLISH packet id";
      id = (body[at]! << 8) | body[at + 1]!;
      at += 2;
      if (id === 0) return "PUBLISH packet id 0";
    }
    // The payload is a view into `body`.
    return { type: PUBLISH, topic, payload: body.subarray(at), qos, retain: (flags & 1) === 1, dup: (flags & 8) === 8, id };
  }
  if (type === CONNACK) {
    // 3.2: acknowledge flags (bit 0 = session present), return code.
    if (size !== 2) return "CONNACK length";
    // 3.2.2.1: bits 7-1 of the acknowledge flags are reserved and MUST be 0.
    if (body[0]! > 1) return "CONNACK flags";
    return { type: CONNACK, sessionPresent: body[0] === 1, returnCode: body[1]! };
  }
  if ((type >= PUBACK && type <= PUBCOMP) || type === UNSUBACK) {
    // PUBACK (3.4), PUBREC (3.5), PUBREL (3.6), PUBCOMP (3.7), UNSUBACK (3.11): a packet
    // identifier, nothing more (Remaining Length 2).
    if (size !== 2) return "ack length";
    // Identifiers are non-zero [MQTT-2.3.1-1], so an ack of 0 acknowledges nothing we sent.
    if (word === 0) return "ack packet id 0";
    return { type: type as AckPacket["type"], id: word };
  }
  if (type === SUBACK) {
    // 3.9: packet identifier, then one return code per filter of the SUBSCRIBE.
    if (size < 3) return "SUBACK empty";
    const granted: number[] = [];
    for (let i = 2; i < size; i++) {
      const code = body[i]!;
      // Only 0x00, 0x01, 0x02 and 0x80 are allowed [MQTT-3.9.3-2].
      if (code > 2 && code !== SUBSCRIBE_FAILURE) return "SUBACK code";
      granted.push(code);
    }
    return { type: SUBACK, id: word, granted };
  }
  // PINGRESP (3.13): Remaining Length 0.
  if (type === PINGRESP) return size === 0 ? { type: PINGRESP } : "length not 0";
  return "unexpected type " + type;
}

/** Decodes any of the fourteen packet types, in either direction (tests, simulator broker). */
export function decodePacket(first: number, body: Uint8Array): Decoded<Packet> {
  const type = first >> 4;
  if (type !== PUBLISH && (first & 15) !== requiredFlags(type)) return "bad flags, type " + type;
  if (type === CONNECT) return decodeConnect(body);
  if (type === SUBSCRIBE) return decodeSubscribe(body);
  if (type === UNSUBSCRIBE) return decodeUnsubscribe(body);
  // PINGREQ (3.12), DISCONNECT (3.14): Remaining Length 0.
  if (type === PINGREQ || type === DISCONNECT) return body.length === 0 ? { type: type as EmptyPacket["type"] } : "length not 0";
  return decodeServerPacket(first, body);
}
