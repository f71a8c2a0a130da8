// Turns one framed packet (byte 1 and the body, see framer.ts) into a packet object, or a
// string saying why it is malformed: the caller then closes the connection [MQTT-4.8.0-1].
// Nothing here throws on any input.
import { decodeAck } from "./ack";
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
  UNSUBACK,
  UNSUBSCRIBE,
} from "./constants";
import { decodeConnack, decodeConnect } from "./connect";
import { decodeEmpty } from "./empty";
import type { AckPacket, Decoded, Packet } from "./packet";
import { decodePublish } from "./publish";
import { decodeSuback, decodeSubscribe, decodeUnsubscribe } from "./subscribe";

/**
 * Decodes the packets a server may send to a client: CONNACK, PUBLISH, PUBACK, PUBREC,
 * PUBREL, PUBCOMP, SUBACK, UNSUBACK, PINGRESP. Anything else from a server is a protocol
 * violation. This is all the client bundles.
 */
export function decodeServerPacket(first: number, body: Uint8Array): Decoded<Packet> {
  const type = first >> 4;
  const flags = first & 15;
  // Reserved flag bits must match 2.2.2 Table 2.2 [MQTT-2.2.2-1]; else close [MQTT-2.2.2-2].
  if (type !== PUBLISH && flags !== requiredFlags(type)) return "bad flags, type " + type;
  if (type === PUBLISH) return decodePublish(flags, body);
  if (type === CONNACK) return decodeConnack(body);
  if ((type >= PUBACK && type <= PUBCOMP) || type === UNSUBACK) return decodeAck(type as AckPacket["type"], body);
  if (type === SUBACK) return decodeSuback(body);
  if (type === PINGRESP) return decodeEmpty(type, body);
  return "unexpected type " + type;
}

/** Decodes any of the fourteen packet types, in either direction (tests, simulator broker). */
export function decodePacket(first: number, body: Uint8Array): Decoded<Packet> {
  const type = first >> 4;
  if (type !== PUBLISH && (first & 15) !== requiredFlags(type)) return "bad flags, type " + type;
  if (type === CONNECT) return decodeConnect(body);
  if (type === SUBSCRIBE) return decodeSubscribe(body);
  if (type === UNSUBSCRIBE) return decodeUnsubscribe(body);
  if (type === PINGREQ || type === DISCONNECT) return decodeEmpty(type, body);
  return decodeServerPacket(first, body);
}
