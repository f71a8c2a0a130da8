// (2) Framer: every split point of every vector, several packets per chunk, random
// chunking, the size limit enforced before buffering; then a fuzz of random and mutated
// streams through the whole client proving nothing throws out of it and every bad stream
// ends in a clean close.
import * as mqtt from "mqtt-packet";
import { describe, expect, test } from "vitest";
import { decodePacket, decodeServerPacket } from "../../firmware/mqtt/decode";
import { createFramer } from "../../firmware/mqtt/framer";
import type { Packet } from "../../firmware/mqtt/packet";
import { concat, hex, mqttParse, seeded, toMqtt } from "./helpers";
import { recordedClient } from "./harness";
import { SERVER_VECTORS, VECTORS } from "./vectors";

const ENCODED = VECTORS.map((v) => ({ name: v.name, packet: v.packet, bytes: new Uint8Array(mqtt.generate(toMqtt(v.packet))) }));

/** Feeds chunks to a fresh framer; returns the packets (re-encoded as hex by mqtt-packet's view) and the error. */
function frame(chunks: Uint8Array[], maxSize = 1 << 28): { packets: string[]; error?: string } {
  const packets: string[] = [];
  const framer = createFramer(maxSize, (first, body) => {
    const packet = decodePacket(first, body);
    if (typeof packet === "string") return packet;
    packets.push(hex(new Uint8Array(mqtt.generate(toMqtt(packet as Packet)))));
    return undefined;
  });
  let error: string | undefined;
  for (const chunk of chunks) {
    error = framer(chunk);
    if (error) break;
  }
  return { packets, error };
}

describe("framer", () => {
  test("every split point of every vector yields the packet once", () => {
    let checked = 0;
    for (const { name, bytes } of ENCODED) {
      for (let split = 0; split <= bytes.length; split++) {
        const result = frame([bytes.subarray(0, split), bytes.subarray(split)]);
        if (result.error !== undefined || result.packets.length !== 1 || result.packets[0] !== hex(bytes)) {
          throw new Error(`${name} split at ${split}: ${JSON.stringify(result).slice(0, 300)}`);
        }
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(30000);
  });

  test("byte by byte", () => {
    for (const { bytes } of ENCODED) {
      const chunks = [...bytes].map((b) => new Uint8Array([b]));
      expect(frame(chunks).packets).toEqual([hex(bytes)]);
    }
  });

  test("all vectors coalesced in one chunk come out in order", () => {
    const all = concat(...ENCODED.map((e) => e.bytes));
    expect(frame([all]).packets).toEqual(ENCODED.map((e) => hex(e.bytes)));
  });

  test("random chunking of the whole stream, 300 times", () => {
    const all = concat(...ENCODED.map((e) => e.bytes));
    const expected = ENCODED.map((e) => hex(e.bytes));
    const random = seeded(99);
    for (let round = 0; round < 300; round++) {
      const chunks: Uint8Array[] = [];
      for (let at = 0; at < all.length; ) {
        const size = random() < 0.2 ? 1 + Math.floor(random() * 3) : 1 + Math.floor(random() * 4000);
        chunks.push(all.subarray(at, at + size));
        at += size;
      }
      expect(frame(chunks).packets).toEqual(expected);
    }
  });

  test("a packet over the limit is refused as soon as its length is known, before its body", () => {
    let delivered = 0;
    const framer = createFramer(1000, () => {
      delivered++;
      return undefined;
    });
    // PUBLISH announcing 268,435,455 bytes: only the five header bytes are fed.
    expect(framer(new Uint8Array([0x30, 0xff, 0xff, 0xff, 0x7f]))).toMatch(/^too-large: 268435460 bytes > 1000/);
    expect(delivered).toBe(0);
    // Dead from then on: nothing more is framed.
    expect(framer(new Uint8Array([0xd0, 0x00]))).toMatch(/^too-large/);
    expect(delivered).toBe(0);
  });

  test("the limit counts the whole packet: exactly the limit passes, one more byte is refused", () => {
    const atLimit = new Uint8Array(mqtt.generate({ cmd: "publish", topic: "t", payload: Buffer.alloc(95), qos: 0, retain: false, dup: false }));
    expect(atLimit.length).toBe(100);
    expect(frame([atLimit], 100)).toEqual({ packets: [hex(atLimit)], error: undefined });
    const over = new Uint8Array(mqtt.generate({ cmd: "publish", topic: "t", payload: Buffer.alloc(96), qos: 0, retain: false, dup: false }));
    expect(frame([over.subarray(0, 2)], 100).error).toMatch(/^too-large: 101 bytes > 100/);
  });

  test("a five-byte Remaining Length is an error, not a wait for more", () => {
    expect(frame([new Uint8Array([0x30, 0x80, 0x80, 0x80, 0x80])]).error).toMatch(/^protocol: malformed remaining length/);
  });
});

// ---------------------------------------------------------------------------------------
// Fuzz.

// Packets a server sends after CONNACK, small enough for the fuzz's 512-byte limit.
const SERVER_BYTES = SERVER_VECTORS.filter((v) => v.packet.type !== 2)
  .map((v) => new Uint8Array(mqtt.generate(toMqtt(v.packet))))
  .filter((bytes) => bytes.length < 200);
const CONNACK = new Uint8Array([0x20, 0x02, 0x00, 0x00]);

function mutate(random: () => number, input: Uint8Array): Uint8Array {
  let data = Array.from(input);
  const count = 1 + Math.floor(random() * 3);
  for (let m = 0; m < count; m++) {
    const at = Math.floor(random() * (data.length + 1));
    switch (Math.floor(random() * 7)) {
      case 0: // flip a bit
        if (data.length) data[at % data.length]! ^= 1 << Math.floor(random() * 8);
        break;
      case 1: // random byte
        if (data.length) data[at % data.length] = Math.floor(random() * 256);
        break;
      case 2: // truncate
        data = data.slice(0, at);
        break;
      case 3: // insert random bytes
        data.splice(at, 0, ...Array.from({ length: 1 + Math.floor(random() * 4) }, () => Math.floor(random() * 256)));
        break;
      case 4: // delete a few bytes
        data.splice(at, 1 + Math.floor(random() * 3));
        break;
      case 5: // a continuation bit in the length byte
        if (data.length > 1) data[1] = data[1]! | 0x80;
        break;
      default: // change the packet type nibble
        if (data.length) data[0] = (Math.floor(random() * 16) << 4) | (data[0]! & 15);
    }
  }
  return new Uint8Array(data);
}

function streamFor(random: () => number, index: number): { bytes: Uint8Array; valid: boolean } {
  const pick = () => SERVER_BYTES[Math.floor(random() * SERVER_BYTES.length)]!;
  switch (index % 4) {
    case 0: {
      const n = Math.floor(random() * 48);
      const bytes = new Uint8Array(n);
      for (let i = 0; i < n; i++) bytes[i] = Math.floor(random() * 256);
      return { bytes, valid: false };
    }
    case 3: // valid streams: must never close the connection
      return { bytes: concat(pick(), pick(), pick()), valid: true };
    default:
      return { bytes: mutate(random, concat(pick(), ...(random() < 0.5 ? [pick()] : []))), valid: false };
  }
}

/**
 * Is this stream bad, by framing and decoding alone plus the one session rule that applies
 * after CONNACK (a second CONNACK is a protocol violation [MQTT-3.2.0-1])?
 */
function decoderVerdict(bytes: Uint8Array, maxSize: number): string | undefined {
  const framer = createFramer(maxSize, (first, body) => {
    const packet = decodeServerPacket(first, body);
    if (typeof packet !== "string" && packet.type === 2) return "second CONNACK";
    return typeof packet === "string" ? packet : undefined;
  });
  return framer(bytes);
}

describe("fuzz", () => {
  test("decoders never throw on 100,000 random (byte 1, body) pairs", () => {
    const random = seeded(1234);
    let errors = 0;
    for (let i = 0; i < 100000; i++) {
      const body = new Uint8Array(Math.floor(random() * 24));
      for (let j = 0; j < body.length; j++) body[j] = random() < 0.3 ? [0, 1, 2, 0x80, 0xff][j % 5]! : Math.floor(random() * 256);
      const result = decodePacket(Math.floor(random() * 256), body);
      if (typeof result === "string") errors++;
    }
    expect(errors).toBeGreaterThan(50000);
  });

  test("120,000 random and mutated streams: nothing escapes the client, bad streams end in one clean close", () => {
    const random = seeded(5678);
    const maxInbound = 512;
    let closedCount = 0;
    let agreedWithMqttPacket = 0;
    let stricterThanMqttPacket = 0;
    for (let i = 0; i < 120000; i++) {
      const { bytes, valid } = streamFor(random, i);
      const r = recordedClient({ limits: { maxInbound } });
      r.client.connect();
      const connection = r.transport.connections[0]!;
      connection.open();
      connection.receive(CONNACK);
      if (r.connects.length !== 1) throw new Error("no CONNACK");
      // Feed in random chunks; nothing may throw out of onData.
      for (let at = 0; at < bytes.length; ) {
        const size = 1 + Math.floor(random() * 16);
        try {
          connection.receive(bytes.subarray(at, at + size));
        } catch (error) {
          throw new Error(`stream ${i} ${hex(bytes).slice(0, 400)} threw: ${String(error)}`, { cause: error });
        }
        at += size;
      }
      const verdict = decoderVerdict(bytes, maxInbound);
      const closed = r.closes.length > 0;
      const theirs = mqttParse(bytes).error;
      if (closed) {
        closedCount++;
        const close = r.closes[0]!;
        // One close, a reason to act on, the socket destroyed, nothing written after it.
        if (r.closes.length !== 1 || !/^(protocol|too-large): /.test(close.reason) || !connection.destroyed || connection.writesAfterClose !== 0 || close.retryIn < 0) {
          throw new Error(`stream ${i} ${hex(bytes).slice(0, 400)}: unclean close ${JSON.stringify({ closes: r.closes, destroyed: connection.destroyed, after: connection.writesAfterClose })}`);
        }
        if (theirs) agreedWithMqttPacket++;
        else stricterThanMqttPacket++;
      }
      // Every stream our decoder calls bad closes the connection, and only those do.
      if (closed !== (verdict !== undefined)) throw new Error(`stream ${i} ${hex(bytes).slice(0, 400)}: closed ${closed} but decoder says ${verdict}`);
      // Whatever mqtt-packet (the second implementation) finds malformed, we close on too.
      if (theirs && !closed) throw new Error(`stream ${i} ${hex(bytes).slice(0, 400)}: mqtt-packet says ${theirs.message}, client stayed connected`);
      if (valid && closed) throw new Error(`stream ${i} ${hex(bytes).slice(0, 400)}: a valid stream closed: ${r.closes[0]!.reason}`);
      expect(r.errors).toEqual([]);
    }
    // The sample exercised both outcomes.
    expect(closedCount).toBeGreaterThan(40000);
    expect(agreedWithMqttPacket).toBeGreaterThan(1000);
    // Where we are stricter (UTF-8, reserved CONNACK/SUBACK codes, identifier 0, types a server may not send).
    expect(stricterThanMqttPacket).toBeGreaterThan(0);
  }, 60000);
});
