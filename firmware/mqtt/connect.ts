// CONNECT (3.1) and CONNACK (3.2). CONNACK is decoded in decode.ts, with what else a server sends.
import { CONNACK, CONNECT } from "./constants";
import type { ConnectPacket, Decoded } from "./packet";
import { decodeUtf8, encodeUtf8 } from "./utf8";
import { packetWithHeader, readField, readU16, writeField } from "./wire";

/** What encodeConnect needs: a CONNECT packet without its `type`. */
export type ConnectFields = Omit<ConnectPacket, "type">;

// Connect Flags bits (3.1.2.3, Figure 3.4).
const USERNAME = 128;
const PASSWORD = 64;
const WILL_RETAIN = 32;
const WILL = 4;
const CLEAN = 2;

/**
 * Encodes CONNECT. Fields appear in the order Client Identifier, Will Topic, Will Message,
 * User Name, Password [MQTT-3.1.3-1]; a flag is set exactly when its field is present
 * [MQTT-3.1.2-9, -11, -18..-21]. The caller has validated the fields (client.ts).
 */
export function encodeConnect(fields: ConnectFields): Uint8Array {
  const id = encodeUtf8(fields.clientId);
  const will = fields.will;
  let flags = fields.clean ? CLEAN : 0;
  // Variable header: protocol name (6), level (1), flags (1), keep alive (2) = 10 bytes.
  let remaining = 12 + id.length;
  let willTopic: Uint8Array | undefined;
  let willPayload: Uint8Array | undefined;
  let username: Uint8Array | undefined;
  let password: Uint8Array | undefined;
  if (will) {
    willTopic = encodeUtf8(will.topic);
    willPayload = typeof will.payload === "string" ? encodeUtf8(will.payload) : will.payload;
    flags |= WILL | ((will.qos || 0) << 3) | (will.retain ? WILL_RETAIN : 0);
    remaining += 4 + willTopic.length + willPayload.length;
  }
  if (fields.username !== undefined) {
    username = encodeUtf8(fields.username);
    flags |= USERNAME;
    remaining += 2 + username.length;
  }
  if (fields.password !== undefined) {
    password = typeof fields.password === "string" ? encodeUtf8(fields.password) : fields.password;
    flags |= PASSWORD;
    remaining += 2 + password.length;
  }
  const out = packetWithHeader(CONNECT << 4, remaining);
  let at = out.length - remaining;
  // Protocol Name "MQTT" (3.1.2.1), Protocol Level 4 = 3.1.1 (3.1.2.2), flags, Keep Alive (3.1.2.10).
  out.set([0, 4, 77, 81, 84, 84, 4, flags, fields.keepAlive >> 8, fields.keepAlive & 255], at);
  at = writeField(out, at + 10, id);
  if (willTopic && willPayload) {
    at = writeField(out, at, willTopic);
    at = writeField(out, at, willPayload);
  }
  if (username) at = writeField(out, at, username);
  if (password) writeField(out, at, password);
  return out;
}

/** Decodes a CONNECT body (what a server reads: used by tests and the simulator). */
export function decodeConnect(body: Uint8Array): Decoded<ConnectPacket> {
  const name = readField(body, 0);
  if (!name || name.length !== 4 || name[0] !== 77 || name[1] !== 81 || name[2] !== 84 || name[3] !== 84) {
    return "CONNECT: protocol name is not MQTT";
  }
  if (body.length < 10) return "CONNECT: short variable header";
  if (body[6] !== 4) return "CONNECT: protocol level is not 4";
  const flags = body[7]!;
  if (flags & 1) return "CONNECT: reserved flag set [MQTT-3.1.2-3]";
  const willQos = (flags >> 3) & 3;
  if (willQos === 3) return "CONNECT: will QoS 3 [MQTT-3.1.2-14]";
  if (!(flags & WILL) && (willQos || flags & WILL_RETAIN)) return "CONNECT: will QoS/retain without will [MQTT-3.1.2-13]";
  if (flags & PASSWORD && !(flags & USERNAME)) return "CONNECT: password without user name [MQTT-3.1.2-22]";
  const packet: ConnectPacket = { type: CONNECT, clientId: "", keepAlive: readU16(body, 8), clean: (flags & CLEAN) !== 0 };
  let at = 10;
  let field = readField(body, at);
  const clientId = field && decodeUtf8(field, 0, field.length);
  if (!field || clientId === undefined) return "CONNECT: bad client identifier";
  packet.clientId = clientId;
  at += 2 + field.length;
  if (flags & WILL) {
    field = readField(body, at);
    const topic = field && decodeUtf8(field, 0, field.length);
    if (!field || topic === undefined) return "CONNECT: bad will topic";
    at += 2 + field.length;
    const payload = readField(body, at);
    if (!payload) return "CONNECT: bad will message";
    at += 2 + payload.length;
    packet.will = { topic, payload, qos: willQos, retain: (flags & WILL_RETAIN) !== 0 };
  }
  if (flags & USERNAME) {
    field = readField(body, at);
    const username = field && decodeUtf8(field, 0, field.length);
    if (!field || username === undefined) return "CONNECT: bad user name";
    at += 2 + field.length;
    packet.username = username;
  }
  if (flags & PASSWORD) {
    field = readField(body, at);
    if (!field) return "CONNECT: bad password";
    at += 2 + field.length;
    packet.password = field;
  }
  if (at !== body.length) return "CONNECT: trailing bytes";
  return packet;
}

/** Encodes CONNACK (3.2): acknowledge flags (bit 0 = session present) and return code. */
export function encodeConnack(sessionPresent: boolean, returnCode: number): Uint8Array {
  return new Uint8Array([CONNACK << 4, 2, sessionPresent ? 1 : 0, returnCode]);
}
