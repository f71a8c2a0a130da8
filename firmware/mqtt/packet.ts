// The shapes of decoded packets (and of packets handed to encode.ts). Types only: they
// cost nothing on the board. Strings here are JavaScript strings; the codec converts
// them to and from UTF-8 (utf8.ts).

export type Payload = string | Uint8Array;

export interface WillMessage {
  topic: string;
  payload: Payload;
  qos?: number;
  retain?: boolean;
}

export interface ConnectPacket {
  type: 1;
  clientId: string;
  /** Seconds, as on the wire (3.1.2.10); 0 disables keepalive. */
  keepAlive: number;
  clean: boolean;
  will?: WillMessage;
  username?: string;
  password?: Payload;
}

export interface ConnackPacket {
  type: 2;
  sessionPresent: boolean;
  returnCode: number;
}

export interface PublishPacket {
  type: 3;
  topic: string;
  payload: Uint8Array;
  qos: number;
  retain: boolean;
  dup: boolean;
  /** Packet identifier; 0 when qos is 0 (no identifier on the wire, [MQTT-2.3.1-5]). */
  id: number;
}

/** PUBACK, PUBREC, PUBREL, PUBCOMP and UNSUBACK: a packet identifier and nothing else. */
export interface AckPacket {
  type: 4 | 5 | 6 | 7 | 11;
  id: number;
}

export interface Subscription {
  topic: string;
  qos: number;
}

export interface SubscribePacket {
  type: 8;
  id: number;
  subscriptions: Subscription[];
}

export interface SubackPacket {
  type: 9;
  id: number;
  /** 0, 1, 2 (granted QoS) or 0x80 (failure), one per filter in the SUBSCRIBE. */
  granted: number[];
}

export interface UnsubscribePacket {
  type: 10;
  id: number;
  topics: string[];
}

/** PINGREQ, PINGRESP, DISCONNECT. */
export interface EmptyPacket {
  type: 12 | 13 | 14;
}

export type Packet =
  | ConnectPacket
  | ConnackPacket
  | PublishPacket
  | AckPacket
  | SubscribePacket
  | SubackPacket
  | UnsubscribePacket
  | EmptyPacket;

/** What a decoder returns: a packet, or a string saying why the bytes are malformed. */
export type Decoded<T> = T | string;
