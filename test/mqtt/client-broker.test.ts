// (3) The client against a scripted broker on a local socket (mqtt-packet on the broker
// side), on virtual time: the client's timers move only when the test advances the clock,
// and every wait is for a socket event or a client callback — no sleeps.
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import type { ClientOptions } from "../../firmware/mqtt/client";
import { nodeTransport } from "../../sim/node-transport";
import { recordedClient, type Recorded } from "./harness";
import { text } from "./helpers";
import { ScriptedBroker } from "./scripted-broker";

let broker: ScriptedBroker;
let clients: Recorded[] = [];

beforeEach(async () => {
  broker = await ScriptedBroker.start();
  clients = [];
});

afterEach(async () => {
  for (const r of clients) r.client.end();
  await broker.close();
});

function client(overrides: Partial<ClientOptions> = {}): Recorded {
  const r = recordedClient({ server: broker.address, keepAlive: 30, ...overrides }, undefined, nodeTransport);
  clients.push(r);
  return r;
}

/** Connects `r` and completes the handshake; returns the broker's side. */
async function connected(r: Recorded, sessionPresent = false) {
  const before = r.connects.length;
  if (before === 0 && r.closes.length === 0) r.client.connect();
  const side = await broker.nextConnection();
  const connect = await side.accept(sessionPresent);
  await r.until(() => r.connects.length === before + 1, "CONNACK processed");
  return { side, connect };
}

/** Advances virtual time to the reconnect the client scheduled after its last close. */
function reconnectNow(r: Recorded) {
  const close = r.closes[r.closes.length - 1]!;
  expect(close.retryIn).toBeGreaterThanOrEqual(0);
  r.clock.advanceTo(close.at + close.retryIn);
}

describe("connecting", () => {
  test("'connected' only after CONNACK accepted; CONNECT carries the options", async () => {
    const r = client({ clientId: "kitchen", clean: false, keepAlive: 45, username: "u", password: "p", will: { topic: "nodes/kitchen/status", payload: "lost", qos: 1, retain: true } });
    r.client.connect();
    const side = await broker.nextConnection();
    const connect = await side.next("connect");
    expect(connect).toMatchObject({ clientId: "kitchen", clean: false, keepalive: 45, username: "u", protocolVersion: 4 });
    expect(Buffer.from(connect.password!).toString()).toBe("p");
    expect(connect.will).toMatchObject({ topic: "nodes/kitchen/status", qos: 1, retain: true });
    expect(Buffer.from(connect.will!.payload as Buffer).toString()).toBe("lost");
    expect(r.client.connected()).toBe(false);
    side.send({ cmd: "connack", sessionPresent: false, returnCode: 0 });
    await r.until(() => r.client.connected(), "connected");
    expect(r.connects).toEqual([false]);
    expect(side.parseError).toBeUndefined();
  });

  const REFUSALS: [number, string, boolean][] = [
    [1, "refused: unacceptable protocol version", true],
    [2, "refused: identifier rejected", true],
    [3, "refused: server unavailable", false],
    [4, "refused: bad user name or password", true],
    [5, "refused: not authorized", true],
  ];
  test.each(REFUSALS)("CONNACK return code %i is reported as %j (long backoff: %s) and never as connected", async (code, reason, long) => {
    const r = client({ backoff: { min: 1000, max: 60000, long: 300000 } });
    r.client.connect();
    const side = await broker.nextConnection();
    await side.accept(false, code);
    await r.until(() => r.closes.length === 1, "close");
    await side.closed; // the client closed its side too
    expect(r.connects).toEqual([]);
    expect(r.client.connected()).toBe(false);
    expect(r.closes[0]!.reason).toBe(reason);
    const retryIn = r.closes[0]!.retryIn;
    if (long) {
      // Credentials and authorisation do not fix themselves: at least half of `long`.
      expect(retryIn).toBeGreaterThanOrEqual(150000);
      expect(retryIn).toBeLessThanOrEqual(300000);
    } else {
      expect(retryIn).toBeLessThan(1000);
    }
    // Nothing happens before the backoff ends; then it tries again.
    r.clock.advance(retryIn - 1);
    expect(broker["connections"].size).toBe(0);
    r.clock.advance(1);
    const again = await broker.nextConnection();
    expect((await again.next("connect")).clientId).toBe("node-1");
  });

  test("no CONNACK: the attempt times out after responseTimeout and is retried", async () => {
    const r = client({ responseTimeout: 5000 });
    r.client.connect();
    const side = await broker.nextConnection();
    await side.next("connect");
    r.clock.advance(4999);
    expect(r.closes).toEqual([]);
    r.clock.advance(1);
    expect(r.closes[0]!.reason).toBe("timeout: no CONNACK within 5000 ms");
    await side.closed;
    reconnectNow(r);
    const again = await broker.nextConnection();
    await again.accept();
    await r.until(() => r.connects.length === 1, "connected on the second attempt");
  });

  test("a refused TCP connection is a close with the transport's reason, then a retry", async () => {
    const port = broker.port;
    await broker.close();
    const r = client({ server: { host: "127.0.0.1", port } });
    r.client.connect();
    await r.until(() => r.closes.length === 1, "close");
    expect(r.closes[0]!.reason).toMatch(/^closed: .*ECONNREFUSED/);
    expect(r.closes[0]!.retryIn).toBeGreaterThanOrEqual(0);
    broker = await ScriptedBroker.start(); // for afterEach
  });

  test("end() sends DISCONNECT, closes, and does not reconnect", async () => {
    const r = client();
    const { side } = await connected(r);
    r.client.end();
    await side.next("disconnect");
    await side.closed;
    expect(r.closes).toEqual([{ reason: "ended", retryIn: -1, at: r.clock.now() }]);
    r.clock.advance(3600_000);
    expect(broker["connections"].size).toBe(0);
  });
});

describe("QoS 1 and 2 outbound", () => {
  test("withheld PUBACK: the PUBLISH is re-sent with DUP and the same id after reconnect when the session is kept", async () => {
    const r = client({ clean: false });
    const { side } = await connected(r);
    expect(r.client.publish("sensors/t", "21.5", 1)).toBe("sent");
    const first = await side.next("publish");
    expect(first).toMatchObject({ topic: "sensors/t", qos: 1, dup: false });
    await side.drop(); // no PUBACK
    await r.until(() => r.closes.length === 1, "close");
    expect(r.closes[0]!.reason).toMatch(/^closed: /);
    expect(r.client.pending()).toBe(1);
    reconnectNow(r);
    const second = await broker.nextConnection();
    await second.accept(true);
    const again = await second.next("publish");
    // [MQTT-4.4.0-1] re-sent, [MQTT-3.3.1-1] DUP set, [MQTT-2.3.1-3] same identifier.
    expect(again).toMatchObject({ topic: "sensors/t", qos: 1, dup: true, messageId: first.messageId });
    expect(text(again.payload as Buffer)).toBe("21.5");
    second.send({ cmd: "puback", messageId: first.messageId! });
    await r.until(() => r.client.pending() === 0, "PUBACK processed");
  });

  test("withheld PUBACK and the session lost: the message is published again as a new one (DUP 0)", async () => {
    const r = client({ clean: false });
    const { side } = await connected(r);
    r.client.publish("sensors/t", "21.5", 1);
    await side.next("publish");
    await side.drop();
    await r.until(() => r.closes.length === 1, "close");
    reconnectNow(r);
    const second = await broker.nextConnection();
    await second.accept(false); // the broker lost the session
    const again = await second.next("publish");
    expect(again).toMatchObject({ topic: "sensors/t", qos: 1, dup: false });
    second.send({ cmd: "puback", messageId: again.messageId! });
    await r.until(() => r.client.pending() === 0, "PUBACK processed");
  });

  test("QoS 2 with a lost PUBCOMP: PUBREL (not the PUBLISH) is re-sent after reconnect", async () => {
    const r = client({ clean: false });
    const { side } = await connected(r);
    r.client.publish("cmd/x", "go", 2);
    const publish = await side.next("publish");
    expect(publish.qos).toBe(2);
    side.send({ cmd: "pubrec", messageId: publish.messageId! });
    const pubrel = await side.next("pubrel");
    expect(pubrel.messageId).toBe(publish.messageId);
    await side.drop(); // the PUBREL's answer never comes back
    await r.until(() => r.closes.length === 1, "close");
    expect(r.client.pending()).toBe(1);
    reconnectNow(r);
    const second = await broker.nextConnection();
    await second.accept(true);
    // [MQTT-4.4.0-1]: the PUBREL again; never the PUBLISH once PUBREL was sent [MQTT-4.3.3-1].
    const again = await second.next("pubrel");
    expect(again.messageId).toBe(publish.messageId);
    second.send({ cmd: "pubcomp", messageId: publish.messageId! });
    await r.until(() => r.client.pending() === 0, "PUBCOMP processed");
  });

  test("QoS 2 after PUBREC with the session lost: dropped, never published twice", async () => {
    const r = client({ clean: false });
    const { side } = await connected(r);
    r.client.publish("cmd/x", "once", 2);
    const publish = await side.next("publish");
    side.send({ cmd: "pubrec", messageId: publish.messageId! });
    await side.next("pubrel");
    await side.drop();
    await r.until(() => r.closes.length === 1, "close");
    reconnectNow(r);
    const second = await broker.nextConnection();
    await second.accept(false);
    await r.until(() => r.connects.length === 2, "reconnected");
    expect(r.client.pending()).toBe(0);
    // The next thing the broker sees is a fresh message, not a copy of "once".
    r.client.publish("marker", "m", 0);
    expect(await second.next("publish")).toMatchObject({ topic: "marker" });
  });

  test("the in-flight window holds back QoS 1 messages until acknowledged, in order", async () => {
    const r = client({ limits: { inflight: 2 } });
    const { side } = await connected(r);
    expect(["a", "b", "c", "d"].map((p) => r.client.publish("q", p, 1))).toEqual(["sent", "sent", "queued", "queued"]);
    const a = await side.next("publish");
    const b = await side.next("publish");
    expect([text(a.payload as Buffer), text(b.payload as Buffer)]).toEqual(["a", "b"]);
    side.send({ cmd: "puback", messageId: a.messageId! });
    const c = await side.next("publish");
    expect(text(c.payload as Buffer)).toBe("c");
    // Identifiers are distinct while in flight [MQTT-2.3.1-2].
    expect(new Set([a.messageId, b.messageId, c.messageId]).size).toBe(3);
    side.send({ cmd: "puback", messageId: b.messageId! });
    side.send({ cmd: "puback", messageId: c.messageId! });
    const d = await side.next("publish");
    side.send({ cmd: "puback", messageId: d.messageId! });
    await r.until(() => r.client.pending() === 0, "all acknowledged");
  });

  test("messages published while offline are sent, in order, once connected", async () => {
    const r = client();
    expect(r.client.publish("q", "1", 0)).toBe("queued");
    expect(r.client.publish("q", "2", 1)).toBe("queued");
    expect(r.client.publish("q", "3", 2)).toBe("queued");
    const { side } = await connected(r);
    const got = [await side.next("publish"), await side.next("publish"), await side.next("publish")];
    expect(got.map((p) => [text(p.payload as Buffer), p.qos])).toEqual([
      ["1", 0],
      ["2", 1],
      ["3", 2],
    ]);
  });
});

describe("QoS 1 and 2 inbound", () => {
  test("QoS 1 is delivered and acknowledged", async () => {
    const r = client();
    const { side } = await connected(r);
    side.send({ cmd: "publish", topic: "cmd/led", payload: Buffer.from("on"), qos: 1, messageId: 42, dup: false, retain: false });
    expect((await side.next("puback")).messageId).toBe(42);
    expect(r.messages.map((m) => [m.topic, text(m.payload), m.info.qos])).toEqual([["cmd/led", "on", 1]]);
  });

  test("QoS 2 is delivered exactly once across a duplicate PUBLISH and a lost PUBREL", async () => {
    const r = client({ clean: false });
    const { side } = await connected(r);
    const publish = { cmd: "publish" as const, topic: "cmd/x", payload: Buffer.from("once"), qos: 2 as const, messageId: 7, retain: false, dup: false };
    side.send(publish);
    expect((await side.next("pubrec")).messageId).toBe(7);
    // The broker did not see our PUBREC and sends the PUBLISH again.
    side.send({ ...publish, dup: true });
    expect((await side.next("pubrec")).messageId).toBe(7);
    expect(r.messages).toHaveLength(1);
    // The connection drops before PUBREL; the session is resumed and PUBREL arrives then.
    await side.drop();
    await r.until(() => r.closes.length === 1, "close");
    reconnectNow(r);
    const second = await broker.nextConnection();
    await second.accept(true);
    second.send({ ...publish, dup: true }); // still before PUBREL: a copy
    expect((await second.next("pubrec")).messageId).toBe(7);
    second.send({ cmd: "pubrel", messageId: 7 });
    expect((await second.next("pubcomp")).messageId).toBe(7);
    expect(r.messages.map((m) => text(m.payload))).toEqual(["once"]);
    // After PUBREL the identifier is free: the same id is now a new message.
    second.send({ ...publish, payload: Buffer.from("next") });
    expect((await second.next("pubrec")).messageId).toBe(7);
    expect(r.messages.map((m) => text(m.payload))).toEqual(["once", "next"]);
  });

  test("a new session forgets inbound QoS 2 ids: the same id is a new message", async () => {
    const r = client({ clean: false });
    const { side } = await connected(r);
    const publish = { cmd: "publish" as const, topic: "cmd/x", payload: Buffer.from("a"), qos: 2 as const, messageId: 9, retain: false, dup: false };
    side.send(publish);
    await side.next("pubrec");
    await side.drop();
    await r.until(() => r.closes.length === 1, "close");
    reconnectNow(r);
    const second = await broker.nextConnection();
    await second.accept(false);
    second.send({ ...publish, payload: Buffer.from("b") });
    await second.next("pubrec");
    expect(r.messages.map((m) => text(m.payload))).toEqual(["a", "b"]);
  });
});

describe("keepalive", () => {
  test("PINGREQ keepAlive seconds after the last send or the last packet heard; no PINGRESP within responseTimeout closes and reconnects", async () => {
    const r = client({ keepAlive: 30, responseTimeout: 4000 });
    const { side } = await connected(r);
    const start = r.clock.now();
    r.clock.advanceTo(start + 20000);
    r.client.publish("t", "x", 1); // a send and its PUBACK at 20 s move the next PINGREQ to 50 s
    const publish = await side.next("publish");
    const chunks = r.chunks;
    side.send({ cmd: "puback", messageId: publish.messageId });
    await r.until(() => r.chunks > chunks, "PUBACK read");
    r.clock.advanceTo(start + 49999);
    r.client.publish("marker", "m", 0); // nothing was sent before this marker: no early PINGREQ
    expect((await side.next()).cmd).toBe("publish");
    // 30 s with nothing heard: PINGREQ, although the marker was sent 1 ms ago
    r.clock.advanceTo(start + 50000);
    await side.next("pingreq");
    side.send({ cmd: "pingresp" });
    // A message behind the PINGRESP: once it is delivered, the PINGRESP has been read.
    side.send({ cmd: "publish", topic: "after", payload: Buffer.from("x"), qos: 0, retain: false, dup: false });
    await r.until(() => r.messages.length === 1, "message after PINGRESP");
    r.clock.advanceTo(start + 80000);
    await side.next("pingreq");
    // This one is not answered.
    r.clock.advance(3999);
    expect(r.closes).toEqual([]);
    r.clock.advance(1);
    expect(r.closes[0]!.reason).toBe("timeout: no PINGRESP within 4000 ms");
    await side.closed;
    reconnectNow(r);
    await (await broker.nextConnection()).accept();
    await r.until(() => r.connects.length === 2, "reconnected");
  });

  test("a client that keeps sending but hears nothing pings after keepAlive and gives up (a half-open connection)", async () => {
    const r = client({ keepAlive: 30, responseTimeout: 4000 });
    const { side } = await connected(r);
    const start = r.clock.now();
    // QoS 0 every 10 s: sends never stop, so the last-send rule alone would never ping
    for (let t = 10000; t < 30000; t += 10000) {
      r.clock.advanceTo(start + t);
      r.client.publish("t", "x", 0);
      await side.next("publish");
    }
    r.clock.advanceTo(start + 30000);
    await side.next("pingreq");
    r.clock.advance(4000);
    expect(r.closes[0]!.reason).toBe("timeout: no PINGRESP within 4000 ms");
  });

  test("PINGRESP keeps the connection", async () => {
    const r = client({ keepAlive: 10, responseTimeout: 2000 });
    const { side } = await connected(r);
    for (let i = 0; i < 5; i++) {
      r.clock.advance(10000);
      await side.next("pingreq");
      const chunks = r.chunks;
      side.send({ cmd: "pingresp" });
      await r.until(() => r.chunks > chunks, "PINGRESP read");
    }
    expect(r.closes).toEqual([]);
  });
});

describe("subscriptions", () => {
  test("session present 0 after reconnect: every subscription is sent again; session present 1: none", async () => {
    const r = client({ clean: false });
    const { side } = await connected(r);
    expect(r.client.subscribe("nodes/+/cmd", 1)).toBe("sent");
    expect(r.client.subscribe("config/#", 2)).toBe("sent");
    const s1 = await side.next("subscribe");
    const s2 = await side.next("subscribe");
    side.send({ cmd: "suback", messageId: s1.messageId!, granted: [1] });
    side.send({ cmd: "suback", messageId: s2.messageId!, granted: [2] });
    await r.until(() => r.subacks.length === 2, "SUBACKs");
    expect(r.subacks).toEqual([
      { filter: "nodes/+/cmd", granted: 1 },
      { filter: "config/#", granted: 2 },
    ]);

    await side.drop();
    await r.until(() => r.closes.length === 1, "close");
    reconnectNow(r);
    const lost = await broker.nextConnection();
    await lost.accept(false);
    const again = await lost.next("subscribe");
    expect(again.subscriptions).toEqual([
      { topic: "nodes/+/cmd", qos: 1 },
      { topic: "config/#", qos: 2 },
    ]);
    lost.send({ cmd: "suback", messageId: again.messageId!, granted: [1, 2] });
    await r.until(() => r.subacks.length === 4, "SUBACK");

    await lost.drop();
    await r.until(() => r.closes.length === 2, "close");
    reconnectNow(r);
    const kept = await broker.nextConnection();
    await kept.accept(true);
    await r.until(() => r.connects.length === 3, "connected");
    r.client.publish("marker", "m", 0);
    // The first packet after CONNACK is the marker: no SUBSCRIBE when the session is kept.
    expect((await kept.next()).cmd).toBe("publish");
  });

  test("a refused subscription (SUBACK 0x80) is reported and not retried", async () => {
    const r = client();
    const { side } = await connected(r);
    r.client.subscribe("secret/#", 1);
    r.client.subscribe("open/#", 1);
    const a = await side.next("subscribe");
    const b = await side.next("subscribe");
    side.send({ cmd: "suback", messageId: a.messageId!, granted: [0x80] });
    side.send({ cmd: "suback", messageId: b.messageId!, granted: [1] });
    await r.until(() => r.subacks.length === 2, "SUBACKs");
    expect(r.subacks[0]).toEqual({ filter: "secret/#", granted: 0x80 });
    await side.drop();
    await r.until(() => r.closes.length === 1, "close");
    reconnectNow(r);
    const second = await broker.nextConnection();
    await second.accept(false);
    expect((await second.next("subscribe")).subscriptions).toEqual([{ topic: "open/#", qos: 1 }]);
  });

  test("a subscription made while offline is sent on connect; an unsubscribe while connected is sent", async () => {
    const r = client();
    expect(r.client.subscribe("a/b", 0)).toBe("queued");
    const { side } = await connected(r);
    expect((await side.next("subscribe")).subscriptions).toEqual([{ topic: "a/b", qos: 0 }]);
    expect(r.client.unsubscribe("a/b")).toBe("sent");
    const unsubscribe = await side.next("unsubscribe");
    expect(unsubscribe.unsubscriptions).toEqual(["a/b"]);
    side.send({ cmd: "unsuback", messageId: unsubscribe.messageId!, granted: [] });
    r.client.publish("marker", "m", 0);
    await side.next("publish");
    expect(r.closes).toEqual([]);
  });
});

describe("reconnect backoff", () => {
  test("the broker kicking the client soon after CONNACK, again and again, is reported as a suspected duplicate client id", async () => {
    const r = client({ keepAlive: 0, backoff: { min: 1000, max: 60000, long: 300000, stable: 60000, kicks: 3 } });
    r.client.connect();
    for (let kick = 1; kick <= 4; kick++) {
      const side = await broker.nextConnection();
      await side.accept();
      await r.until(() => r.connects.length === kick, "connected");
      r.clock.advance(2000); // another board with our id connects: we are dropped
      await side.drop();
      await r.until(() => r.closes.length === kick, "close");
      const close = r.closes[kick - 1]!;
      if (kick < 3) {
        expect(close.reason).toMatch(/^closed: /);
        expect(close.retryIn).toBeLessThan(1000 * 2 ** kick);
      } else {
        expect(close.reason).toMatch(new RegExp(`^duplicate-client-id: ${kick} sessions ended within 60000 ms of CONNACK \\(closed: `));
        expect(close.retryIn).toBeGreaterThanOrEqual(150000);
      }
      reconnectNow(r);
    }
    // A session that lasts resets the count: the next drop is an ordinary one.
    const side = await broker.nextConnection();
    await side.accept();
    await r.until(() => r.connects.length === 5, "connected");
    r.clock.advance(60000);
    await side.drop();
    await r.until(() => r.closes.length === 5, "close");
    expect(r.closes[4]!.reason).toMatch(/^closed: /);
    expect(r.closes[4]!.retryIn).toBeLessThan(1000);
  });

  test("an inbound packet over maxInbound closes the connection with too-large", async () => {
    const r = client({ limits: { maxInbound: 100 } });
    const { side } = await connected(r);
    side.send({ cmd: "publish", topic: "big", payload: Buffer.alloc(200), qos: 0, retain: false, dup: false });
    await r.until(() => r.closes.length === 1, "close");
    expect(r.closes[0]!.reason).toBe("too-large: 208 bytes > 100");
    expect(r.messages).toEqual([]);
    await side.closed;
  });

  test("a malformed packet from the broker closes the connection with protocol", async () => {
    const r = client();
    const { side } = await connected(r);
    side.sendBytes(new Uint8Array([0x90, 0x03, 0x00, 0x01, 0x03])); // SUBACK with reserved code 3
    await r.until(() => r.closes.length === 1, "close");
    expect(r.closes[0]!.reason).toBe("protocol: SUBACK code");
    await side.closed;
  });
});
