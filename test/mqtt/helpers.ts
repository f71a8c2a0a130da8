// Shared by the MQTT tests: conversions to and from mqtt-packet (the second implementation),
// a seeded random source, an in-memory transport, and a real clock for tests against real
// processes.
import * as mqtt from "mqtt-packet";
import type { Clock } from "../../hal/clock";
import type { Connection, Transport, TransportHandlers, TransportOptions } from "../../hal/net";
import { decodePacket } from "../../firmware/mqtt/decode";
import { createFramer } from "../../firmware/mqtt/framer";
import type { Packet } from "../../firmware/mqtt/packet";

export const COMMANDS = [
  "",
  "connect",
  "connack",
  "publish",
  "puback",
  "pubrec",
  "pubrel",
  "pubcomp",
  "subscribe",
  "suback",
  "unsubscribe",
  "unsuback",
  "pingreq",
  "pingresp",
  "disconnect",
] as const;

const bytes = (data: Uint8Array | string) => (typeof data === "string" ? Buffer.from(data, "utf8") : Buffer.from(data));

/** Our packet object -> mqtt-packet's. */
export function toMqtt(packet: Packet): mqtt.Packet {
  const cmd = COMMANDS[packet.type];
  switch (packet.type) {
    case 1: {
      const p: mqtt.IConnectPacket = {
        cmd: "connect",
        protocolId: "MQTT",
        protocolVersion: 4,
        clientId: packet.clientId,
        keepalive: packet.keepAlive,
        clean: packet.clean,
      };
      if (packet.will) {
        p.will = { topic: packet.will.topic, payload: bytes(packet.will.payload), qos: (packet.will.qos ?? 0) as mqtt.QoS, retain: !!packet.will.retain };
      }
      if (packet.username !== undefined) p.username = packet.username;
      if (packet.password !== undefined) p.password = bytes(packet.password);
      return p;
    }
    case 2:
      return { cmd: "connack", sessionPresent: packet.sessionPresent, returnCode: packet.returnCode };
    case 3: {
      const p: mqtt.IPublishPacket = { cmd: "publish", topic: packet.topic, payload: bytes(packet.payload), qos: packet.qos as mqtt.QoS, retain: packet.retain, dup: packet.dup };
      if (packet.qos > 0) p.messageId = packet.id;
      return p;
    }
    case 8:
      return { cmd: "subscribe", messageId: packet.id, subscriptions: packet.subscriptions.map((s) => ({ topic: s.topic, qos: s.qos as mqtt.QoS })) };
    case 9:
      return { cmd: "suback", messageId: packet.id, granted: packet.granted };
    case 10:
      return { cmd: "unsubscribe", messageId: packet.id, unsubscriptions: packet.topics };
    case 12:
    case 13:
    case 14:
      return { cmd } as mqtt.Packet;
    default:
      return { cmd, messageId: packet.id } as mqtt.Packet;
  }
}

/** mqtt-packet's packet object -> ours. */
export function fromMqtt(p: mqtt.Packet): Packet {
  const type = COMMANDS.indexOf(p.cmd as (typeof COMMANDS)[number]) as Packet["type"];
  switch (p.cmd) {
    case "connect": {
      const packet: Packet = { type: 1, clientId: p.clientId, keepAlive: p.keepalive ?? 0, clean: !!p.clean };
      if (p.will) {
        packet.will = { topic: p.will.topic, payload: new Uint8Array(bytes(p.will.payload as Buffer)), qos: p.will.qos ?? 0, retain: !!p.will.retain };
      }
      if (p.username !== undefined) packet.username = p.username;
      if (p.password !== undefined) packet.password = new Uint8Array(p.password);
      return packet;
    }
    case "connack":
      return { type: 2, sessionPresent: p.sessionPresent, returnCode: p.returnCode ?? 0 };
    case "publish":
      return { type: 3, topic: p.topic, payload: new Uint8Array(bytes(p.payload)), qos: p.qos, retain: p.retain, dup: p.dup, id: p.qos > 0 ? p.messageId! : 0 };
    case "subscribe":
      return { type: 8, id: p.messageId!, subscriptions: p.subscriptions.map((s) => ({ topic: s.topic, qos: s.qos })) };
    case "suback":
      return { type: 9, id: p.messageId!, granted: p.granted as number[] };
    case "unsubscribe":
      return { type: 10, id: p.messageId!, topics: p.unsubscriptions };
    case "pingreq":
    case "pingresp":
    case "disconnect":
      return { type } as Packet;
    default:
      return { type, id: p.messageId! } as Packet;
  }
}

/** Parses a byte stream with mqtt-packet: its packets, or its error. */
export function mqttParse(data: Uint8Array): { packets: mqtt.Packet[]; error?: Error } {
  const parser = mqtt.parser({ protocolVersion: 4 });
  const packets: mqtt.Packet[] = [];
  let error: Error | undefined;
  parser.on("packet", (p: mqtt.Packet) => packets.push(p));
  parser.on("error", (e: Error) => {
    error = error ?? e;
  });
  parser.parse(Buffer.from(data));
  return { packets, error };
}

/** Frames and decodes a whole stream with our codec: packets, or the first error. */
export function ourParse(data: Uint8Array, maxSize = 1 << 28): { packets: Packet[]; error?: string } {
  const packets: Packet[] = [];
  const framer = createFramer(maxSize, (first, body) => {
    const packet = decodePacket(first, body);
    if (typeof packet === "string") return packet;
    packets.push(packet);
    return undefined;
  });
  return { packets, error: framer(data) };
}

/** mulberry32: a small seeded PRNG, so every random test is repeatable. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randomBytes(random: () => number, length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = Math.floor(random() * 256);
  return out;
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export const hex = (data: Uint8Array) => Buffer.from(data).toString("hex");
export const text = (data: Uint8Array) => Buffer.from(data).toString("utf8");

/** Real time, for tests against real processes (Mosquitto, paho). */
export const realClock: Clock = {
  now: () => performance.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => {
    if (handle !== undefined) clearTimeout(handle as NodeJS.Timeout);
  },
};

/** One in-memory connection: what the client wrote, and controls to play the broker. */
export interface MemoryConnection {
  options: TransportOptions;
  handlers: TransportHandlers;
  written: Uint8Array[];
  ended: boolean;
  destroyed: boolean;
  closed: boolean;
  /** Writes after the client ended or destroyed the connection (must stay empty). */
  writesAfterClose: number;
  open(): void;
  receive(data: Uint8Array): void;
  /** The broker side closes. */
  drop(reason?: string): void;
}

/** A transport with no sockets: each connect() returns a MemoryConnection the test drives. */
export function memoryTransport(): Transport & { connections: MemoryConnection[] } {
  const connections: MemoryConnection[] = [];
  return {
    connections,
    connect(options: TransportOptions, handlers: TransportHandlers): Connection {
      const memory: MemoryConnection = {
        options,
        handlers,
        written: [],
        ended: false,
        destroyed: false,
        closed: false,
        writesAfterClose: 0,
        open: () => handlers.onOpen(),
        receive: (data) => {
          if (!memory.closed) handlers.onData(data);
        },
        drop: (reason = "closed by peer") => {
          if (memory.closed) return;
          memory.closed = true;
          handlers.onClose(reason);
        },
      };
      connections.push(memory);
      return {
        write(data: Uint8Array) {
          if (memory.ended || memory.destroyed) memory.writesAfterClose++;
          memory.written.push(new Uint8Array(data));
        },
        end() {
          memory.ended = true;
        },
        destroy() {
          memory.destroyed = true;
        },
      };
    },
  };
}
