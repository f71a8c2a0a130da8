// Encodes any packet object (tests, simulator broker). The client calls the per-packet
// encoders directly, so this dispatcher and the server-side encoders stay out of its bundle.
import { encodeAck } from "./ack";
import { CONNACK, CONNECT, PUBLISH, SUBACK, SUBSCRIBE, UNSUBSCRIBE } from "./constants";
import { encodeConnack, encodeConnect } from "./connect";
import { encodeEmpty } from "./empty";
import type { AckPacket, EmptyPacket, Packet } from "./packet";
import { encodePublish } from "./publish";
import { encodeSuback, encodeSubscribe, encodeUnsubscribe } from "./subscribe";
import { encodeUtf8 } from "./utf8";

export function encodePacket(packet: Packet): Uint8Array {
  switch (packet.type) {
    case CONNECT:
      return encodeConnect(packet);
    case CONNACK:
      return encodeConnack(packet.sessionPresent, packet.returnCode);
    case PUBLISH:
      return encodePublish(encodeUtf8(packet.topic), packet.payload, packet.qos, packet.retain, packet.dup, packet.id);
    case SUBSCRIBE:
      return encodeSubscribe(packet.id, packet.subscriptions);
    case SUBACK:
      return encodeSuback(packet.id, packet.granted);
    case UNSUBSCRIBE:
      return encodeUnsubscribe(packet.id, packet.topics);
    case 12:
    case 13:
    case 14:
      return encodeEmpty((packet as EmptyPacket).type);
    default:
      return encodeAck((packet as AckPacket).type, (packet as AckPacket).id);
  }
}
