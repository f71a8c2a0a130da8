// (1) Codec: every packet type encoded and decoded both ways, checked against mqtt-packet
// (a second, independent implementation) with vectors it generates at test time, and
// against hand-written byte tables with a comment per field.
import * as mqtt from "mqtt-packet";
import { describe, expect, test } from "vitest";
import { decodePacket, decodeServerPacket } from "../../firmware/mqtt/decode";
import { encodePacket } from "../../firmware/mqtt/encode";
import { lengthSize, readLength, writeLength } from "../../firmware/mqtt/length";
import type { Packet } from "../../firmware/mqtt/packet";
import { isTopicFilter, isTopicName } from "../../firmware/mqtt/topic";
import { decodeUtf8, encodeUtf8 } from "../../firmware/mqtt/utf8";
import { fromMqtt, hex, mqttParse, ourParse, seeded, toMqtt } from "./helpers";
import { randomPacket, VECTORS } from "./vectors";

/** Our decoded form of a packet object: strings that travel as bytes become bytes. */
function normalize(packet: Packet): Packet {
  const copy = JSON.parse(JSON.stringify(packet, (_key, value) => (value instanceof Uint8Array ? { bytes: [...value] } : value)), (_key, value) =>
    value && typeof value === "object" && Array.isArray(value.bytes) ? new Uint8Array(value.bytes) : value,
  ) as Packet;
  if (copy.type === 1) {
    if (copy.will) {
      copy.will.payload = typeof copy.will.payload === "string" ? encodeUtf8(copy.will.payload) : copy.will.payload;
      copy.will.qos = copy.will.qos ?? 0;
      copy.will.retain = !!copy.will.retain;
    }
    if (typeof copy.password === "string") copy.password = encodeUtf8(copy.password);
  }
  return copy;
}

/** Decodes a whole encoded packet with our codec (framer + decoder). */
function decodeOurs(bytes: Uint8Array): Packet {
  const result = ourParse(bytes);
  expect(result.error).toBeUndefined();
  expect(result.packets).toHaveLength(1);
  return result.packets[0]!;
}

const same = (a: Packet, b: Packet) => expect(normalize(a)).toEqual(normalize(b));

describe("codec against mqtt-packet: fixed vectors", () => {
  for (const { name, packet } of VECTORS) {
    test(name, () => {
      const theirs = new Uint8Array(mqtt.generate(toMqtt(packet)));
      const ours = encodePacket(packet);
      // Same bytes out of both encoders.
      expect(hex(ours)).toBe(hex(theirs));
      // We decode their bytes to the packet.
      same(decodeOurs(theirs), packet);
      // They decode our bytes to the packet.
      const parsed = mqttParse(ours);
      expect(parsed.error).toBeUndefined();
      expect(parsed.packets).toHaveLength(1);
      same(fromMqtt(parsed.packets[0]!), packet);
    });
  }
});

describe("codec against mqtt-packet: random packets", () => {
  test("3,000 random packets of every type agree both ways", () => {
    const random = seeded(20240611);
    for (let i = 0; i < 3000; i++) {
      const packet = randomPacket(random, i);
      const theirs = new Uint8Array(mqtt.generate(toMqtt(packet)));
      const ours = encodePacket(packet);
      expect(hex(ours), `packet ${i} ${JSON.stringify(toMqtt(packet)).slice(0, 200)}`).toBe(hex(theirs));
      same(decodeOurs(theirs), packet);
      const parsed = mqttParse(ours);
      expect(parsed.error).toBeUndefined();
      same(fromMqtt(parsed.packets[0]!), packet);
    }
  });
});

// Hand-written tables: the bytes as the spec draws them, one comment per field.
const TABLES: { name: string; packet: Packet; bytes: number[] }[] = [
  {
    name: "CONNECT with will, user name and password",
    packet: { type: 1, clientId: "node1", keepAlive: 60, clean: true, will: { topic: "n/s", payload: encodeUtf8("off"), qos: 1, retain: true }, username: "u", password: encodeUtf8("p") },
    bytes: [
      0x10, // type 1 CONNECT, flags 0000 (reserved [MQTT-2.2.2-1])
      33, // Remaining Length: 10 variable header + 23 payload
      0x00, 0x04, 0x4d, 0x51, 0x54, 0x54, // Protocol Name "MQTT" (3.1.2.1)
      0x04, // Protocol Level 4 = MQTT 3.1.1 (3.1.2.2)
      0xee, // Connect Flags: user 1, password 1, will retain 1, will QoS 01, will 1, clean 1, reserved 0 [MQTT-3.1.2-3]
      0x00, 0x3c, // Keep Alive 60 s (3.1.2.10)
      0x00, 0x05, 0x6e, 0x6f, 0x64, 0x65, 0x31, // Client Identifier "node1", first payload field [MQTT-3.1.3-3]
      0x00, 0x03, 0x6e, 0x2f, 0x73, // Will Topic "n/s" [MQTT-3.1.2-9]
      0x00, 0x03, 0x6f, 0x66, 0x66, // Will Message "off"
      0x00, 0x01, 0x75, // User Name "u" [MQTT-3.1.2-19]
      0x00, 0x01, 0x70, // Password "p" [MQTT-3.1.2-21]
    ],
  },
  {
    name: "CONNECT without will or credentials",
    packet: { type: 1, clientId: "x", keepAlive: 0, clean: false },
    bytes: [
      0x10, // CONNECT
      13, // Remaining Length
      0x00, 0x04, 0x4d, 0x51, 0x54, 0x54, // "MQTT"
      0x04, // level 4
      0x00, // flags: no will, so will QoS and retain 0 [MQTT-3.1.2-11, -13, -15]; no user/password [MQTT-3.1.2-18, -20]
      0x00, 0x00, // Keep Alive 0: off
      0x00, 0x01, 0x78, // Client Identifier "x"
    ],
  },
  {
    name: "CONNACK session present, accepted",
    packet: { type: 2, sessionPresent: true, returnCode: 0 },
    bytes: [
      0x20, // type 2 CONNACK, flags 0000
      0x02, // Remaining Length 2
      0x01, // Acknowledge Flags: bits 7-1 reserved 0, bit 0 Session Present (3.2.2.2)
      0x00, // Return Code 0 accepted (3.2.2.3)
    ],
  },
  {
    name: "CONNACK refused, not authorized",
    packet: { type: 2, sessionPresent: false, returnCode: 5 },
    bytes: [
      0x20, 0x02, // CONNACK, length 2
      0x00, // Session Present 0 with a non-zero return code [MQTT-3.2.2-4]
      0x05, // 5 = not authorized
    ],
  },
  {
    name: "PUBLISH QoS 1",
    packet: { type: 3, topic: "a/b", payload: encodeUtf8("hi"), qos: 1, retain: false, dup: false, id: 10 },
    bytes: [
      0x32, // type 3 PUBLISH; DUP 0, QoS 01, RETAIN 0 (3.3.1)
      0x09, // Remaining Length: 5 topic + 2 id + 2 payload
      0x00, 0x03, 0x61, 0x2f, 0x62, // Topic Name "a/b" [MQTT-3.3.2-1]
      0x00, 0x0a, // Packet Identifier 10, present because QoS > 0 [MQTT-2.3.1-1]
      0x68, 0x69, // payload "hi"
    ],
  },
  {
    name: "PUBLISH QoS 2, DUP, RETAIN, empty payload",
    packet: { type: 3, topic: "t", payload: new Uint8Array(0), qos: 2, retain: true, dup: true, id: 0x0102 },
    bytes: [
      0x3d, // PUBLISH; DUP 1 (a re-delivery [MQTT-3.3.1-1]), QoS 10, RETAIN 1
      0x05, // Remaining Length
      0x00, 0x01, 0x74, // Topic Name "t"
      0x01, 0x02, // Packet Identifier 0x0102
    ],
  },
  {
    name: "PUBLISH QoS 0 has no Packet Identifier",
    packet: { type: 3, topic: "t", payload: encodeUtf8("x"), qos: 0, retain: false, dup: false, id: 0 },
    bytes: [
      0x30, // PUBLISH, QoS 0, DUP 0 [MQTT-3.3.1-2]
      0x04, // Remaining Length
      0x00, 0x01, 0x74, // Topic Name "t"
      0x78, // payload "x"; no identifier [MQTT-2.3.1-5]
    ],
  },
  {
    name: "PUBLISH with a two-byte Remaining Length (128)",
    packet: { type: 3, topic: "t", payload: new Uint8Array(125).fill(0x41), qos: 0, retain: false, dup: false, id: 0 },
    bytes: [
      0x30, // PUBLISH QoS 0
      0x80, 0x01, // Remaining Length 128: 0 + 128 * 1, continuation bit on the first byte (2.2.3)
      0x00, 0x01, 0x74, // Topic Name "t"
      ...new Array(125).fill(0x41), // payload
    ],
  },
  { name: "PUBACK", packet: { type: 4, id: 1 }, bytes: [0x40 /* type 4, flags 0000 */, 0x02 /* length */, 0x00, 0x01 /* Packet Identifier 1 [MQTT-2.3.1-6] */] },
  { name: "PUBREC", packet: { type: 5, id: 0x1234 }, bytes: [0x50 /* type 5, flags 0000 */, 0x02, 0x12, 0x34 /* Packet Identifier */] },
  { name: "PUBREL", packet: { type: 6, id: 65535 }, bytes: [0x62 /* type 6, flags 0010 [MQTT-3.6.1-1] */, 0x02, 0xff, 0xff /* Packet Identifier 65535 */] },
  { name: "PUBCOMP", packet: { type: 7, id: 256 }, bytes: [0x70 /* type 7, flags 0000 */, 0x02, 0x01, 0x00 /* Packet Identifier 256 */] },
  {
    name: "SUBSCRIBE two filters",
    packet: { type: 8, id: 10, subscriptions: [{ topic: "a/#", qos: 1 }, { topic: "+", qos: 2 }] },
    bytes: [
      0x82, // type 8 SUBSCRIBE, flags 0010 [MQTT-3.8.1-1]
      0x0c, // Remaining Length: 2 id + 6 + 4
      0x00, 0x0a, // Packet Identifier 10
      0x00, 0x03, 0x61, 0x2f, 0x23, // Topic Filter "a/#"
      0x01, // Requested QoS 1, upper 6 bits reserved 0 [MQTT-3.8.3-4]
      0x00, 0x01, 0x2b, // Topic Filter "+"
      0x02, // Requested QoS 2
    ],
  },
  {
    name: "SUBACK granted 1 and failure",
    packet: { type: 9, id: 10, granted: [1, 0x80] },
    bytes: [
      0x90, // type 9 SUBACK, flags 0000
      0x04, // Remaining Length
      0x00, 0x0a, // Packet Identifier of the SUBSCRIBE [MQTT-3.8.4-2]
      0x01, // granted QoS 1
      0x80, // failure (3.9.3); only 0x00, 0x01, 0x02, 0x80 allowed [MQTT-3.9.3-2]
    ],
  },
  {
    name: "UNSUBSCRIBE",
    packet: { type: 10, id: 11, topics: ["a/#"] },
    bytes: [
      0xa2, // type 10 UNSUBSCRIBE, flags 0010 [MQTT-3.10.1-1]
      0x07, // Remaining Length
      0x00, 0x0b, // Packet Identifier 11
      0x00, 0x03, 0x61, 0x2f, 0x23, // Topic Filter "a/#" (at least one [MQTT-3.10.3-2])
    ],
  },
  { name: "UNSUBACK", packet: { type: 11, id: 11 }, bytes: [0xb0 /* type 11, flags 0000 */, 0x02, 0x00, 0x0b /* Packet Identifier [MQTT-2.3.1-7] */] },
  { name: "PINGREQ", packet: { type: 12 }, bytes: [0xc0 /* type 12 */, 0x00 /* Remaining Length 0 */] },
  { name: "PINGRESP", packet: { type: 13 }, bytes: [0xd0 /* type 13 */, 0x00] },
  { name: "DISCONNECT", packet: { type: 14 }, bytes: [0xe0 /* type 14 */, 0x00] },
];

describe("hand-written byte tables", () => {
  for (const { name, packet, bytes } of TABLES) {
    test(name, () => {
      const expected = new Uint8Array(bytes);
      expect(hex(encodePacket(packet))).toBe(hex(expected));
      same(decodeOurs(expected), packet);
      // And mqtt-packet reads the table the same way (the table itself is checked).
      const parsed = mqttParse(expected);
      expect(parsed.error).toBeUndefined();
      same(fromMqtt(parsed.packets[0]!), packet);
    });
  }
});

// Malformed packets: each must be an error (never a throw), so the receiver can close the
// connection [MQTT-4.8.0-1].
const MALFORMED: { name: string; bytes: number[]; server?: boolean }[] = [
  { name: "PUBACK with flags 0001 [MQTT-2.2.2-2]", bytes: [0x41, 0x02, 0x00, 0x01] },
  { name: "PUBREL with flags 0000 [MQTT-3.6.1-1]", bytes: [0x60, 0x02, 0x00, 0x01] },
  { name: "SUBSCRIBE with flags 0000 [MQTT-3.8.1-1]", bytes: [0x80, 0x06, 0x00, 0x01, 0x00, 0x01, 0x61, 0x00] },
  { name: "UNSUBSCRIBE with flags 0000 [MQTT-3.10.1-1]", bytes: [0xa0, 0x05, 0x00, 0x01, 0x00, 0x01, 0x61] },
  { name: "CONNACK with flags 0001", bytes: [0x21, 0x02, 0x00, 0x00] },
  { name: "PUBLISH with QoS 3 [MQTT-3.3.1-4]", bytes: [0x36, 0x05, 0x00, 0x01, 0x74, 0x00, 0x01] },
  { name: "PUBLISH QoS 1 with identifier 0 [MQTT-2.3.1-1]", bytes: [0x32, 0x05, 0x00, 0x01, 0x74, 0x00, 0x00] },
  { name: "PUBLISH QoS 1 without identifier", bytes: [0x32, 0x03, 0x00, 0x01, 0x74] },
  { name: "PUBLISH topic longer than the packet", bytes: [0x30, 0x03, 0x00, 0x05, 0x74] },
  { name: "PUBLISH topic overlong UTF-8 for U+0000 [MQTT-1.5.3-1]", bytes: [0x30, 0x04, 0x00, 0x02, 0xc0, 0x80] },
  { name: "PUBLISH topic with U+0000 [MQTT-1.5.3-2]", bytes: [0x30, 0x05, 0x00, 0x03, 0x61, 0x00, 0x62] },
  { name: "PUBLISH topic with a UTF-16 surrogate [MQTT-1.5.3-1]", bytes: [0x30, 0x05, 0x00, 0x03, 0xed, 0xa0, 0x80] },
  { name: "PUBLISH topic with a truncated sequence [MQTT-1.5.3-1]", bytes: [0x30, 0x04, 0x00, 0x02, 0x61, 0xe2] },
  { name: "PUBLISH topic above U+10FFFF [MQTT-1.5.3-1]", bytes: [0x30, 0x06, 0x00, 0x04, 0xf4, 0x90, 0x80, 0x80] },
  { name: "CONNACK of length 3", bytes: [0x20, 0x03, 0x00, 0x00, 0x00] },
  { name: "CONNACK with reserved acknowledge flags (3.2.2.1)", bytes: [0x20, 0x02, 0x02, 0x00] },
  { name: "PUBACK of length 3", bytes: [0x40, 0x03, 0x00, 0x01, 0x00] },
  { name: "PUBACK of identifier 0", bytes: [0x40, 0x02, 0x00, 0x00] },
  { name: "SUBACK with return code 3 [MQTT-3.9.3-2]", bytes: [0x90, 0x03, 0x00, 0x01, 0x03] },
  { name: "SUBACK without return codes", bytes: [0x90, 0x02, 0x00, 0x01] },
  { name: "PINGRESP with a body", bytes: [0xd0, 0x01, 0x00] },
  { name: "packet type 0 (reserved)", bytes: [0x00, 0x00] },
  { name: "packet type 15 (reserved)", bytes: [0xf0, 0x00] },
  { name: "Remaining Length of five bytes (2.2.3)", bytes: [0x30, 0xff, 0xff, 0xff, 0xff, 0x7f] },
  { name: "CONNECT protocol name MQIsdp (3.1, not 3.1.1)", bytes: [0x10, 0x0f, 0x00, 0x06, 0x4d, 0x51, 0x49, 0x73, 0x64, 0x70, 0x03, 0x02, 0x00, 0x3c, 0x00, 0x01, 0x61] },
  { name: "CONNECT protocol level 5", bytes: [0x10, 0x0d, 0x00, 0x04, 0x4d, 0x51, 0x54, 0x54, 0x05, 0x02, 0x00, 0x3c, 0x00, 0x01, 0x61] },
  { name: "CONNECT reserved flag set [MQTT-3.1.2-3]", bytes: [0x10, 0x0d, 0x00, 0x04, 0x4d, 0x51, 0x54, 0x54, 0x04, 0x03, 0x00, 0x3c, 0x00, 0x01, 0x61] },
  { name: "CONNECT will QoS 3 [MQTT-3.1.2-14]", bytes: [0x10, 0x0d, 0x00, 0x04, 0x4d, 0x51, 0x54, 0x54, 0x04, 0x1e, 0x00, 0x3c, 0x00, 0x01, 0x61] },
  { name: "CONNECT will retain without will [MQTT-3.1.2-15]", bytes: [0x10, 0x0d, 0x00, 0x04, 0x4d, 0x51, 0x54, 0x54, 0x04, 0x22, 0x00, 0x3c, 0x00, 0x01, 0x61] },
  { name: "CONNECT password without user name [MQTT-3.1.2-22]", bytes: [0x10, 0x10, 0x00, 0x04, 0x4d, 0x51, 0x54, 0x54, 0x04, 0x42, 0x00, 0x3c, 0x00, 0x01, 0x61, 0x00, 0x01, 0x70] },
  { name: "CONNECT with trailing bytes", bytes: [0x10, 0x0e, 0x00, 0x04, 0x4d, 0x51, 0x54, 0x54, 0x04, 0x02, 0x00, 0x3c, 0x00, 0x01, 0x61, 0x00] },
  { name: "SUBSCRIBE requested QoS 3 [MQTT-3.8.3-4]", bytes: [0x82, 0x06, 0x00, 0x01, 0x00, 0x01, 0x61, 0x03] },
  { name: "SUBSCRIBE reserved bits in the QoS byte [MQTT-3.8.3-4]", bytes: [0x82, 0x06, 0x00, 0x01, 0x00, 0x01, 0x61, 0x41] },
  { name: "SUBSCRIBE without filters [MQTT-3.8.3-3]", bytes: [0x82, 0x02, 0x00, 0x01] },
  { name: "UNSUBSCRIBE without filters [MQTT-3.10.3-2]", bytes: [0xa2, 0x02, 0x00, 0x01] },
];

describe("malformed packets are errors, not exceptions", () => {
  for (const { name, bytes } of MALFORMED) {
    test(name, () => {
      const result = ourParse(new Uint8Array(bytes));
      expect(result.packets).toEqual([]);
      expect(typeof result.error).toBe("string");
    });
  }

  test("a server may not send CONNECT, SUBSCRIBE, UNSUBSCRIBE, PINGREQ or DISCONNECT to a client", () => {
    for (const packet of VECTORS.map((v) => v.packet).filter((p) => [1, 8, 10, 12, 14].includes(p.type))) {
      const bytes = encodePacket(packet);
      const body = bytes.subarray(bytes.length - (bytes.length - 1 - lengthSize(bytes.length)));
      expect(typeof decodePacket(bytes[0]!, body)).toBe("object");
      expect(decodeServerPacket(bytes[0]!, body)).toMatch(/unexpected type/);
    }
  });
});

describe("Remaining Length (2.2.3)", () => {
  const CASES: [number, number[]][] = [
    [0, [0x00]],
    [127, [0x7f]],
    [128, [0x80, 0x01]],
    [16383, [0xff, 0x7f]],
    [16384, [0x80, 0x80, 0x01]],
    [2097151, [0xff, 0xff, 0x7f]],
    [2097152, [0x80, 0x80, 0x80, 0x01]],
    [268435455, [0xff, 0xff, 0xff, 0x7f]],
  ];
  test.each(CASES)("%i <-> %j (the spec's Table 2.4 boundaries)", (value, bytes) => {
    const out = new Uint8Array(4);
    expect(writeLength(out, 0, value)).toBe(bytes.length);
    expect([...out.subarray(0, bytes.length)]).toEqual(bytes);
    expect(lengthSize(value)).toBe(bytes.length);
    expect(readLength(new Uint8Array(bytes), 0, bytes.length)).toBe(value);
    expect(readLength(new Uint8Array(bytes), 0, bytes.length - 1)).toBe(bytes.length > 1 ? -1 : -1);
  });
  test("a fifth byte is malformed", () => {
    expect(readLength(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x01]), 0, 5)).toBe(-2);
  });
  test("a 2 MB PUBLISH (four-byte length) agrees with mqtt-packet", () => {
    const packet: Packet = { type: 3, topic: "big", payload: new Uint8Array(2097152).fill(7), qos: 0, retain: false, dup: false, id: 0 };
    const ours = encodePacket(packet);
    expect(hex(ours.subarray(0, 5))).toBe(hex(new Uint8Array(mqtt.generate(toMqtt(packet))).subarray(0, 5)));
    expect([...ours.subarray(1, 5)]).toEqual([0x85, 0x80, 0x80, 0x01]); // 2097157
    const decoded = decodeOurs(ours) as typeof packet;
    expect(decoded.topic).toBe("big");
    expect(Buffer.compare(Buffer.from(decoded.payload), Buffer.from(packet.payload))).toBe(0);
  });
});

describe("UTF-8 (1.5.3)", () => {
  test("encodes like Node for random strings, including astral characters and lone surrogates", () => {
    const random = seeded(7);
    const pool = [0x41, 0x7f, 0x80, 0x7ff, 0x800, 0xfeff, 0xffff, 0xd83d, 0xde00, 0xdbff, 0xdfff, 0xe9, 0x20ac];
    for (let i = 0; i < 5000; i++) {
      let s = "";
      const n = Math.floor(random() * 12);
      for (let j = 0; j < n; j++) s += String.fromCharCode(pool[Math.floor(random() * pool.length)]!);
      // Node also replaces lone surrogates with U+FFFD.
      expect(hex(encodeUtf8(s))).toBe(Buffer.from(s, "utf8").toString("hex"));
      const decoded = decodeUtf8(encodeUtf8(s), 0, encodeUtf8(s).length);
      expect(decoded).toBe(Buffer.from(s, "utf8").toString("utf8"));
    }
  });

  test("decoding agrees with a strict decoder on random bytes (and refuses U+0000)", () => {
    const strict = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
    const random = seeded(11);
    let refused = 0;
    for (let i = 0; i < 20000; i++) {
      const n = Math.floor(random() * 6);
      const bytes = new Uint8Array(n);
      for (let j = 0; j < n; j++) bytes[j] = random() < 0.5 ? Math.floor(random() * 256) : [0xc2, 0xe0, 0xed, 0xf0, 0xf4, 0x80, 0xbf, 0xa0, 0x90][Math.floor(random() * 9)]!;
      let expected: string | undefined;
      try {
        expected = strict.decode(bytes);
      } catch {
        expected = undefined;
      }
      if (expected !== undefined && expected.includes("\u0000")) expected = undefined; // [MQTT-1.5.3-2]
      const actual = decodeUtf8(bytes, 0, bytes.length);
      if (actual === undefined) refused++;
      expect(actual, hex(bytes)).toBe(expected);
    }
    expect(refused).toBeGreaterThan(1000); // the sample did exercise the refusals
  });

  test("U+FEFF is kept, not stripped [MQTT-1.5.3-3]", () => {
    expect(decodeUtf8(new Uint8Array([0xef, 0xbb, 0xbf, 0x61]), 0, 4)).toBe("\ufeffa");
  });
});

describe("topic names and filters (4.7)", () => {
  test.each([
    ["a", true],
    ["a/b/c", true],
    ["/", true],
    ["température/😀", true],
    ["", false], // [MQTT-4.7.3-1]
    ["a/+", false], // no wildcards in a topic name [MQTT-3.3.2-2]
    ["a/#", false],
    ["a\u0000b", false], // [MQTT-4.7.3-2]
  ])("topic name %j valid: %s", (topic, valid) => expect(isTopicName(topic)).toBe(valid));

  test.each([
    ["#", true],
    ["a/#", true],
    ["+", true],
    ["+/+/x", true],
    ["a/+/#", true],
    ["/", true],
    ["", false], // [MQTT-4.7.3-1]
    ["a#", false], // '#' alone in its level [MQTT-4.7.1-2]
    ["a/#/b", false], // '#' last [MQTT-4.7.1-2]
    ["a+", false], // '+' fills its level [MQTT-4.7.1-3]
    ["a/+b", false],
    ["a\u0000", false], // [MQTT-4.7.3-2]
  ])("topic filter %j valid: %s", (filter, valid) => expect(isTopicFilter(filter)).toBe(valid));
});
