// Packet vectors used by the codec and framer tests: every packet type, with the field
// values that matter (flags, empty and multi-byte strings, identifier extremes, payload
// sizes on each side of a Remaining Length byte boundary). Bytes are never written here:
// the tests generate them with mqtt-packet at test time, or by hand in codec.test.ts.
import type { Packet } from "../../firmware/mqtt/packet";
import { seeded } from "./helpers";

const fill = (n: number, seed = 1) => {
  const random = seeded(seed);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.floor(random() * 256);
  return out;
};
const utf8 = (s: string) => new Uint8Array(Buffer.from(s, "utf8"));

export const VECTORS: { name: string; packet: Packet }[] = [
  { name: "CONNECT minimal", packet: { type: 1, clientId: "a", keepAlive: 60, clean: true } },
  { name: "CONNECT empty client id", packet: { type: 1, clientId: "", keepAlive: 0, clean: true } },
  {
    name: "CONNECT will qos1 retained, user, password, persistent session",
    packet: {
      type: 1,
      clientId: "node-kitchen",
      keepAlive: 65535,
      clean: false,
      will: { topic: "nodes/kitchen/status", payload: utf8("offline"), qos: 1, retain: true },
      username: "alice",
      password: new Uint8Array([0, 1, 2, 255]),
    },
  },
  {
    name: "CONNECT will qos2 not retained, user without password",
    packet: { type: 1, clientId: "n", keepAlive: 10, clean: true, will: { topic: "w", payload: new Uint8Array(0), qos: 2, retain: false }, username: "" },
  },
  {
    name: "CONNECT will qos0, multi-byte UTF-8 everywhere",
    packet: { type: 1, clientId: "nöde-€-😀", keepAlive: 30, clean: true, will: { topic: "état/😀", payload: utf8("parti ✓"), qos: 0, retain: false }, username: "ünïcode", password: utf8("pä$$") },
  },
  { name: "CONNACK accepted", packet: { type: 2, sessionPresent: false, returnCode: 0 } },
  { name: "CONNACK accepted, session present", packet: { type: 2, sessionPresent: true, returnCode: 0 } },
  ...[1, 2, 3, 4, 5].map((code) => ({ name: `CONNACK refused ${code}`, packet: { type: 2, sessionPresent: false, returnCode: code } as Packet })),
  { name: "PUBLISH qos0", packet: { type: 3, topic: "a/b", payload: utf8("21.5"), qos: 0, retain: false, dup: false, id: 0 } },
  { name: "PUBLISH qos0 retained, empty payload", packet: { type: 3, topic: "a", payload: new Uint8Array(0), qos: 0, retain: true, dup: false, id: 0 } },
  { name: "PUBLISH qos1", packet: { type: 3, topic: "sensors/t", payload: fill(10), qos: 1, retain: false, dup: false, id: 1 } },
  { name: "PUBLISH qos1 dup", packet: { type: 3, topic: "sensors/t", payload: fill(10), qos: 1, retain: false, dup: true, id: 65535 } },
  { name: "PUBLISH qos2 retained dup", packet: { type: 3, topic: "x/y/z", payload: fill(3), qos: 2, retain: true, dup: true, id: 0x1234 } },
  { name: "PUBLISH multi-byte topic", packet: { type: 3, topic: "température/çà/😀", payload: utf8("ok"), qos: 1, retain: false, dup: false, id: 7 } },
  // Remaining Length 127 (one byte) and 128 (two bytes): topic "t" = 3 bytes, id 2 bytes.
  { name: "PUBLISH remaining length 127", packet: { type: 3, topic: "t", payload: fill(122), qos: 1, retain: false, dup: false, id: 9 } },
  { name: "PUBLISH remaining length 128", packet: { type: 3, topic: "t", payload: fill(123), qos: 1, retain: false, dup: false, id: 9 } },
  { name: "PUBLISH remaining length 16383", packet: { type: 3, topic: "t", payload: fill(16380), qos: 0, retain: false, dup: false, id: 0 } },
  { name: "PUBLISH remaining length 16384", packet: { type: 3, topic: "t", payload: fill(16381), qos: 0, retain: false, dup: false, id: 0 } },
  { name: "PUBACK", packet: { type: 4, id: 1 } },
  { name: "PUBREC", packet: { type: 5, id: 0x1234 } },
  { name: "PUBREL", packet: { type: 6, id: 65535 } },
  { name: "PUBCOMP", packet: { type: 7, id: 256 } },
  { name: "SUBSCRIBE one filter", packet: { type: 8, id: 10, subscriptions: [{ topic: "a/+/c", qos: 1 }] } },
  {
    name: "SUBSCRIBE three filters",
    packet: { type: 8, id: 65535, subscriptions: [{ topic: "#", qos: 0 }, { topic: "nodes/+/cmd", qos: 2 }, { topic: "ünï/€", qos: 1 }] },
  },
  { name: "SUBACK", packet: { type: 9, id: 10, granted: [1] } },
  { name: "SUBACK with failure", packet: { type: 9, id: 300, granted: [0, 1, 2, 0x80] } },
  { name: "UNSUBSCRIBE one", packet: { type: 10, id: 11, topics: ["a/+/c"] } },
  { name: "UNSUBSCRIBE two", packet: { type: 10, id: 12, topics: ["#", "ünï/€"] } },
  { name: "UNSUBACK", packet: { type: 11, id: 12 } },
  { name: "PINGREQ", packet: { type: 12 } },
  { name: "PINGRESP", packet: { type: 13 } },
  { name: "DISCONNECT", packet: { type: 14 } },
];

/** The vectors a server sends to a client (what the client's decoder accepts). */
export const SERVER_VECTORS = VECTORS.filter((v) => [2, 3, 4, 5, 6, 7, 9, 11, 13].includes(v.packet.type));

const TOPIC_CHARACTERS = ["a", "b", "/", "-", "_", "é", "€", "😀", "0", " "];

function randomString(random: () => number, max: number, filter: boolean): string {
  const length = Math.floor(random() * max) + 1;
  let s = "";
  for (let i = 0; i < length; i++) s += TOPIC_CHARACTERS[Math.floor(random() * TOPIC_CHARACTERS.length)];
  if (filter && random() < 0.3) s += "/+";
  if (filter && random() < 0.3) s += "/#";
  return s;
}

/** A random valid packet of each type in turn; `index` picks the type (1..14). */
export function randomPacket(random: () => number, index: number): Packet {
  const type = (index % 14) + 1;
  const id = 1 + Math.floor(random() * 65535);
  const bytes = () => {
    const n = random() < 0.1 ? Math.floor(random() * 3000) : Math.floor(random() * 40);
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = Math.floor(random() * 256);
    return out;
  };
  const qos = Math.floor(random() * 3);
  switch (type) {
    case 1: {
      const clean = random() < 0.5;
      // An empty client id only with a clean session [MQTT-3.1.3-7].
      const packet: Packet = { type: 1, clientId: clean && random() < 0.2 ? "" : randomString(random, 23, false), keepAlive: Math.floor(random() * 65536), clean };
      if (random() < 0.5) packet.will = { topic: randomString(random, 30, false), payload: bytes(), qos: Math.floor(random() * 3), retain: random() < 0.5 };
      if (random() < 0.5) {
        packet.username = randomString(random, 12, false);
        if (random() < 0.5) packet.password = bytes();
      }
      return packet;
    }
    case 2:
      return { type: 2, sessionPresent: random() < 0.5, returnCode: Math.floor(random() * 6) };
    case 3:
      return { type: 3, topic: randomString(random, 40, false), payload: bytes(), qos, retain: random() < 0.5, dup: qos > 0 && random() < 0.5, id: qos > 0 ? id : 0 };
    case 8:
    case 10: {
      const count = 1 + Math.floor(random() * 4);
      const subscriptions = [];
      for (let i = 0; i < count; i++) subscriptions.push({ topic: randomString(random, 20, true), qos: Math.floor(random() * 3) });
      return type === 8 ? { type: 8, id, subscriptions } : { type: 10, id, topics: subscriptions.map((s) => s.topic) };
    }
    case 9: {
      const count = 1 + Math.floor(random() * 4);
      const granted = [];
      for (let i = 0; i < count; i++) granted.push([0, 1, 2, 0x80][Math.floor(random() * 4)]!);
      return { type: 9, id, granted };
    }
    case 12:
    case 13:
    case 14:
      return { type } as Packet;
    default:
      return { type: type as 4 | 5 | 6 | 7 | 11, id };
  }
}
