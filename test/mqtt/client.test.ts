// (3, continued) Client rules that need no socket: an in-memory transport and virtual time.
import * as mqtt from "mqtt-packet";
import { describe, expect, test } from "vitest";
import { backoffDelay, longDelay } from "../../firmware/mqtt/backoff";
import { createClient } from "../../firmware/mqtt/client";
import type { Transport } from "../../hal/net";
import { VirtualClock } from "../../sim/virtual-clock";
import { recordedClient, type Recorded } from "./harness";
import { mqttParse, memoryTransport, seeded } from "./helpers";

const CONNACK = new Uint8Array([0x20, 0x02, 0x00, 0x00]);

function online(r: Recorded) {
  r.client.connect();
  const connection = r.transport.connections[r.transport.connections.length - 1]!;
  connection.open();
  connection.receive(CONNACK);
  expect(r.client.connected()).toBe(true);
  return connection;
}

/** Everything the client wrote on a connection, parsed by mqtt-packet. */
function sent(connection: { written: Uint8Array[] }): mqtt.Packet[] {
  const all = Buffer.concat(connection.written.map((w) => Buffer.from(w)));
  const parsed = mqttParse(all);
  expect(parsed.error).toBeUndefined();
  return parsed.packets;
}

describe("outbound queue", () => {
  test("bounded by count: a clear result when full", () => {
    const r = recordedClient({ limits: { queue: 3, queueBytes: 10000 } });
    expect([1, 2, 3, 4].map((i) => r.client.publish("t", String(i), 1))).toEqual(["queued", "queued", "queued", "queue-full"]);
    expect(r.client.pending()).toBe(3);
  });

  test("bounded by bytes (topic + payload); one message bigger than the whole queue is too-large", () => {
    const r = recordedClient({ limits: { queue: 100, queueBytes: 20 } });
    expect(r.client.publish("t", "123456789", 0)).toBe("queued"); // 10 bytes
    expect(r.client.publish("t", "123456789", 0)).toBe("queued"); // 20
    expect(r.client.publish("t", "1", 0)).toBe("queue-full");
    expect(r.client.publish("t", "x".repeat(20), 0)).toBe("too-large");
  });

  test("in-flight messages count against the limit until acknowledged", () => {
    const r = recordedClient({ limits: { queue: 2 } });
    const connection = online(r);
    expect(r.client.publish("t", "a", 1)).toBe("sent");
    expect(r.client.publish("t", "b", 1)).toBe("sent");
    expect(r.client.publish("t", "c", 1)).toBe("queue-full");
    const first = sent(connection).filter((p) => p.cmd === "publish")[0]!;
    connection.receive(new Uint8Array(mqtt.generate({ cmd: "puback", messageId: first.messageId! })));
    expect(r.client.publish("t", "c", 1)).toBe("sent");
  });

  test("QoS 0 while connected with nothing queued is written at once and not held", () => {
    const r = recordedClient({ limits: { queue: 1 } });
    const connection = online(r);
    for (let i = 0; i < 5; i++) expect(r.client.publish("t", "x", 0)).toBe("sent");
    expect(r.client.pending()).toBe(0);
    expect(sent(connection).filter((p) => p.cmd === "publish")).toHaveLength(5);
  });

  test("invalid topics and QoS are refused before anything is queued", () => {
    const r = recordedClient();
    expect(r.client.publish("a/+", "x")).toBe("invalid-topic");
    expect(r.client.publish("a/#", "x")).toBe("invalid-topic");
    expect(r.client.publish("", "x")).toBe("invalid-topic");
    expect(r.client.publish("a\u0000", "x")).toBe("invalid-topic");
    expect(r.client.publish("a".repeat(65536), "x")).toBe("invalid-topic"); // [MQTT-4.7.3-3]
    expect(r.client.publish("a", "x", 3)).toBe("invalid-qos");
    expect(r.client.subscribe("a/#/b")).toBe("invalid-topic");
    expect(r.client.subscribe("a+")).toBe("invalid-topic");
    expect(r.client.subscribe("a", 7)).toBe("invalid-qos");
    expect(r.client.pending()).toBe(0);
  });
});

describe("packet identifiers", () => {
  test("skip identifiers still in flight across a full wrap of 65535", () => {
    const r = recordedClient({ limits: { inflight: 4, queue: 8 } });
    const connection = online(r);
    r.client.publish("held", "never acknowledged", 1);
    const held = sent(connection).find((p) => p.cmd === "publish")!.messageId!;
    connection.written.length = 0;
    const used = new Set<number>();
    for (let i = 0; i < 70000; i++) {
      r.client.publish("t", "x", 1);
      const last = connection.written[connection.written.length - 1]!;
      const id = (last[last.length - 3]! << 8) | last[last.length - 2]!; // topic "t" + id + "x"
      expect(id).not.toBe(held);
      expect(id).not.toBe(0);
      used.add(id);
      connection.receive(new Uint8Array([0x40, 0x02, id >> 8, id & 255])); // PUBACK
    }
    expect(used.size).toBe(65534); // every id but the held one was used
    expect(r.client.pending()).toBe(1);
  });
});

describe("backoff", () => {
  test("capped exponential with full jitter", () => {
    const top = () => 0.999999;
    expect([0, 1, 2, 3, 4, 5, 6, 7, 8, 20].map((n) => backoffDelay(n, 1000, 60000, top))).toEqual([999, 1999, 3999, 7999, 15999, 31999, 59999, 59999, 59999, 59999]);
    expect(backoffDelay(5, 1000, 60000, () => 0)).toBe(0);
    const random = seeded(3);
    for (let i = 0; i < 1000; i++) {
      const delay = backoffDelay(4, 1000, 60000, random);
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThan(16000);
    }
    expect(longDelay(300000, () => 0)).toBe(150000);
    expect(longDelay(300000, top)).toBe(299999);
  });

  test("consecutive failures grow the wait; the random source is the injected one", () => {
    const r = recordedClient({ random: () => 0.999999, backoff: { min: 100, max: 1000 } });
    r.client.connect();
    for (let i = 0; i < 6; i++) {
      r.transport.connections[i]!.drop("refused");
      r.clock.advance(r.closes[i]!.retryIn);
    }
    expect(r.closes.map((c) => c.retryIn)).toEqual([99, 199, 399, 799, 999, 999]);
    expect(r.closes.every((c) => c.reason === "closed: refused")).toBe(true);
  });
});

describe("robustness", () => {
  test("options are validated at construction", () => {
    const base = { clock: new VirtualClock(), transport: memoryTransport(), server: { host: "h", port: 1 }, clientId: "x" };
    expect(() => createClient({ ...base, clientId: "", clean: false })).toThrow(/empty clientId needs clean/); // [MQTT-3.1.3-7]
    expect(() => createClient({ ...base, keepAlive: 70000 })).toThrow(/keepAlive/);
    expect(() => createClient({ ...base, keepAlive: 1.5 })).toThrow(/keepAlive/);
    expect(() => createClient({ ...base, will: { topic: "a/#", payload: "x" } })).toThrow(/will/);
    expect(() => createClient({ ...base, will: { topic: "a", payload: "x", qos: 3 } })).toThrow(/will/);
    expect(() => createClient({ ...base, password: "p" })).toThrow(/password needs username/);
    try {
      createClient({ ...base, keepAlive: -1 });
    } catch (error) {
      expect((error as { code: string }).code).toBe("invalid-options");
    }
  });

  test("a callback that throws is reported to onError and the client carries on", () => {
    const r = recordedClient({
      onMessage: () => {
        throw new Error("application bug");
      },
    });
    r.client.connect();
    const errors: unknown[] = [];
    const connection = r.transport.connections[0]!;
    connection.open();
    connection.receive(CONNACK);
    connection.receive(new Uint8Array(mqtt.generate({ cmd: "publish", topic: "a", payload: Buffer.from("x"), qos: 1, messageId: 5, retain: false, dup: false })));
    errors.push(...r.errors);
    expect(String(errors[0])).toMatch(/application bug/);
    // Still acknowledged, still connected.
    expect(sent(connection).map((p) => p.cmd)).toEqual(["connect", "puback"]);
    expect(r.client.connected()).toBe(true);
  });

  test("end() from inside onMessage stops processing the rest of the chunk", () => {
    let r: Recorded | undefined = undefined;
    r = recordedClient({ onMessage: () => r!.client.end() });
    const connection = online(r);
    const two = Buffer.concat([
      mqtt.generate({ cmd: "publish", topic: "a", payload: Buffer.from("1"), qos: 1, messageId: 1, retain: false, dup: false }),
      mqtt.generate({ cmd: "publish", topic: "a", payload: Buffer.from("2"), qos: 1, messageId: 2, retain: false, dup: false }),
    ]);
    connection.receive(new Uint8Array(two));
    expect(r.closes).toEqual([{ reason: "ended", retryIn: -1, at: 0 }]);
    expect(connection.ended).toBe(true);
    expect(connection.writesAfterClose).toBe(0);
    // DISCONNECT was the last packet [MQTT-3.14.4-1]; the message was not acknowledged.
    expect(sent(connection).map((p) => p.cmd)).toEqual(["connect", "disconnect"]);
  });

  test("a transport that throws, or closes before connect() returns, is a close and a retry", () => {
    const clock = new VirtualClock();
    let calls = 0;
    const throwing: Transport = {
      connect() {
        calls++;
        throw new Error("boom");
      },
    };
    const closes: string[] = [];
    const client = createClient({ clock, transport: throwing, random: () => 0.999, server: { host: "h", port: 1 }, clientId: "x", onClose: (reason) => closes.push(reason) });
    client.connect();
    expect(closes).toEqual(["closed: boom"]);
    clock.advance(999);
    expect(calls).toBe(2);
    client.end();
    clock.advance(100000);
    expect(calls).toBe(2);

    const synchronous: Transport = {
      connect(_options, handlers) {
        handlers.onClose("Unable to locate host");
        return { write() {}, end() {}, destroy() {} };
      },
    };
    const reasons: string[] = [];
    const other = createClient({ clock, transport: synchronous, server: { host: "h", port: 1 }, clientId: "x", onClose: (reason) => reasons.push(reason) });
    other.connect();
    expect(reasons).toEqual(["closed: Unable to locate host"]);
    other.end();
  });

  test("a transport that opens before connect() returns still gets CONNECT first", () => {
    const written: Uint8Array[] = [];
    const eager: Transport = {
      connect(_options, handlers) {
        handlers.onOpen();
        return { write: (b) => written.push(b), end() {}, destroy() {} };
      },
    };
    const client = createClient({ clock: new VirtualClock(), transport: eager, server: { host: "h", port: 1 }, clientId: "x" });
    client.connect();
    expect(mqttParse(written[0]!).packets[0]!.cmd).toBe("connect");
    client.end();
  });

  test("end() while waiting to reconnect cancels the attempt; connect() starts again", () => {
    const r = recordedClient();
    r.client.connect();
    r.transport.connections[0]!.drop();
    r.client.end();
    r.clock.advance(3600000);
    expect(r.transport.connections).toHaveLength(1);
    r.client.connect();
    expect(r.transport.connections).toHaveLength(2);
  });

  test("nothing is written after the client destroys a connection, and late callbacks of it are ignored", () => {
    const r = recordedClient({ responseTimeout: 1000 });
    r.client.connect();
    const first = r.transport.connections[0]!;
    first.open();
    r.clock.advance(1000); // CONNACK timeout
    expect(first.destroyed).toBe(true);
    first.receive(CONNACK); // too late: ignored
    first.drop();
    expect(r.connects).toEqual([]);
    expect(r.closes).toHaveLength(1);
    expect(first.writesAfterClose).toBe(0);
  });
});

// Board bundles are built without the qos2 and unsubscribe switches (hal/features.d.ts);
// here the switches are read at run time, so turning them off shows what a board gets.
describe("without the qos2 and unsubscribe switches (board bundles)", () => {
  function withoutSwitches(body: () => void) {
    const features = (globalThis as unknown as { SENSORNODE_FEATURES: { qos2: boolean; unsubscribe: boolean } }).SENSORNODE_FEATURES;
    features.qos2 = false;
    features.unsubscribe = false;
    try {
      body();
    } finally {
      features.qos2 = true;
      features.unsubscribe = true;
    }
  }

  test("QoS 2 publish and subscribe are refused with invalid-qos; QoS 0/1 still work", () => {
    withoutSwitches(() => {
      const r = recordedClient();
      const connection = online(r);
      expect(r.client.publish("t", "x", 2)).toBe("invalid-qos");
      expect(r.client.subscribe("s", 2)).toBe("invalid-qos");
      expect(r.client.publish("t", "x", 1)).toBe("sent");
      expect(r.client.subscribe("s", 1)).toBe("sent");
      const packets = sent(connection);
      expect(packets.filter((p) => p.cmd === "publish").map((p) => (p as mqtt.IPublishPacket).qos)).toEqual([1]);
      expect(packets.filter((p) => p.cmd === "subscribe").map((p) => (p as mqtt.ISubscribePacket).subscriptions[0]!.qos)).toEqual([1]);
    });
  });

  test("a QoS 2 PUBLISH from the broker (never subscribed at QoS 2) closes the connection, undelivered", () => {
    withoutSwitches(() => {
      const r = recordedClient();
      const connection = online(r);
      connection.receive(new Uint8Array(mqtt.generate({ cmd: "publish", topic: "s", payload: Buffer.from("x"), qos: 2, messageId: 7, dup: false, retain: false })));
      expect(r.messages).toEqual([]);
      expect(r.client.connected()).toBe(false);
      expect(r.closes.map((c) => c.reason)).toEqual([expect.stringMatching(/^protocol: QoS 2 PUBLISH/)]);
    });
  });

  test("the client has no unsubscribe()", () => {
    withoutSwitches(() => {
      expect(recordedClient().client.unsubscribe).toBeUndefined();
    });
  });
});
