// (4) Interop with a real Mosquitto 2.0 started by the tests (test/support/mosquitto.ts) on
// a free loopback port. Real time and real sockets: every wait is for an event (a client
// callback or a line in the broker's log) with a generous limit, never a sleep.
// Mosquitto missing is a failure with a clear message (CI installs it), not a skip.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import type { ClientOptions } from "../../firmware/mqtt/client";
import type { Connection, Transport } from "../../hal/net";
import { nodeTransport } from "../../sim/node-transport";
import { makeCertificates, type Mosquitto, startMosquitto } from "../support/mosquitto";
import { recordedClient, type Recorded } from "./harness";
import { realClock, text } from "./helpers";

const WAIT = 20000;
let clients: Recorded[] = [];
let run = 0;
const unique = (name: string) => `${name}-${process.pid}-${++run}`;

afterEach(() => {
  for (const r of clients) r.client.end();
  clients = [];
});

/** The Node transport, keeping each connection so a test can cut one like a network would. */
function capturing(): Transport & { last(): Connection } {
  const connections: Connection[] = [];
  return {
    connect(options, handlers) {
      const connection = nodeTransport.connect(options, handlers);
      connections.push(connection);
      return connection;
    },
    last: () => connections[connections.length - 1]!,
  };
}

function client(broker: Mosquitto, overrides: Partial<ClientOptions> = {}, transport: Transport = nodeTransport): Recorded {
  const r = recordedClient(
    {
      server: { host: broker.host, port: broker.port },
      clientId: unique("client"),
      keepAlive: 30,
      backoff: { min: 50, max: 500 },
      ...overrides,
    },
    realClock,
    transport,
  );
  clients.push(r);
  return r;
}

async function connect(r: Recorded): Promise<Recorded> {
  const count = r.connects.length;
  r.client.connect();
  await r.until(() => r.connects.length > count, "CONNACK", WAIT);
  return r;
}

async function subscribed(r: Recorded, filter: string, qos: number): Promise<number> {
  const count = r.subacks.length;
  expect(r.client.subscribe(filter, qos)).toBe("sent");
  await r.until(() => r.subacks.length > count, `SUBACK for ${filter}`, WAIT);
  return r.subacks[r.subacks.length - 1]!.granted;
}

describe("plain broker", () => {
  let broker: Mosquitto;
  beforeAll(async () => {
    broker = await startMosquitto();
  });
  afterAll(async () => {
    await broker?.close();
  });

  test.each([0, 1, 2])("QoS %i round trip between two clients, binary payload and UTF-8 topic intact", async (qos) => {
    const topic = `${unique("rt")}/température/😀`;
    const subscriber = await connect(client(broker));
    expect(await subscribed(subscriber, `${topic.split("/")[0]}/#`, 2)).toBe(2);
    const publisher = await connect(client(broker));
    const payload = new Uint8Array([0, 1, 2, 0x7f, 0x80, 0xfe, 0xff, 0xc3, 0xa9]);
    expect(publisher.client.publish(topic, payload, qos)).toBe("sent");
    await subscriber.until(() => subscriber.messages.length === 1, "message", WAIT);
    const message = subscriber.messages[0]!;
    expect(message.topic).toBe(topic);
    expect([...message.payload]).toEqual([...payload]);
    expect(message.info).toEqual({ qos, retain: false, dup: false });
    // The publisher's acknowledgements (PUBACK, or PUBREC + PUBCOMP) arrived.
    await publisher.until(() => publisher.client.pending() === 0, "acknowledged", WAIT);
    expect(subscriber.errors).toEqual([]);
  });

  test("a client receives its own messages at QoS 0, 1 and 2 on a UTF-8 payload", async () => {
    const topic = unique("self");
    const r = await connect(client(broker));
    await subscribed(r, `${topic}/+`, 2);
    r.client.publish(`${topic}/0`, "zéro", 0);
    r.client.publish(`${topic}/1`, "un €", 1);
    r.client.publish(`${topic}/2`, "deux 😀", 2);
    await r.until(() => r.messages.length === 3, "3 messages", WAIT);
    expect(r.messages.map((m) => [m.topic, text(m.payload), m.info.qos]).sort()).toEqual([
      [`${topic}/0`, "zéro", 0],
      [`${topic}/1`, "un €", 1],
      [`${topic}/2`, "deux 😀", 2],
    ]);
  });

  test("a retained message reaches a subscriber that arrives later", async () => {
    const topic = unique("retained");
    const publisher = await connect(client(broker));
    publisher.client.publish(topic, "online", 1, true);
    await publisher.until(() => publisher.client.pending() === 0, "PUBACK", WAIT);
    publisher.client.end();
    const late = await connect(client(broker));
    await subscribed(late, topic, 1);
    await late.until(() => late.messages.length === 1, "retained message", WAIT);
    // Sent because of a new subscription: RETAIN 1 [MQTT-3.3.1-8].
    expect(late.messages[0]).toMatchObject({ topic, info: { qos: 1, retain: true, dup: false } });
    expect(text(late.messages[0]!.payload)).toBe("online");
  });

  test("the will is published when the connection is cut, and not after a clean DISCONNECT", async () => {
    const topic = unique("will");
    const watcher = await connect(client(broker));
    await subscribed(watcher, `${topic}/#`, 1);

    // Cut without DISCONNECT: the broker publishes the will [MQTT-3.1.2-8].
    const transport = capturing();
    const cut = await connect(client(broker, { clientId: unique("cut"), will: { topic: `${topic}/cut`, payload: "lost", qos: 1, retain: false } }, transport));
    transport.last().destroy();
    await watcher.until(() => watcher.messages.length === 1, "will", WAIT);
    expect(watcher.messages[0]).toMatchObject({ topic: `${topic}/cut`, info: { qos: 1 } });
    expect(text(watcher.messages[0]!.payload)).toBe("lost");
    cut.client.end();

    // A clean end(): DISCONNECT, so the broker discards the will [MQTT-3.14.4-2].
    const id = unique("clean");
    const clean = await connect(client(broker, { clientId: id, will: { topic: `${topic}/clean`, payload: "lost", qos: 1, retain: false } }));
    clean.client.end();
    await broker.waitForLog(new RegExp(`Client ${id} disconnected\\.`), WAIT);
    // Had a will been published on that disconnect, it would reach the watcher before this marker.
    const marker = await connect(client(broker));
    marker.client.publish(`${topic}/marker`, "m", 1);
    await watcher.until(() => watcher.messages.length === 2, "marker", WAIT);
    expect(watcher.messages.map((m) => m.topic)).toEqual([`${topic}/cut`, `${topic}/marker`]);
  });

  test("clean: false — QoS 1 messages published while the client was away are delivered when it returns", async () => {
    const topic = unique("offline");
    const id = unique("sleeper");
    const sleeper = await connect(client(broker, { clientId: id, clean: false }));
    expect(sleeper.connects).toEqual([false]);
    await subscribed(sleeper, `${topic}/#`, 1);
    sleeper.client.end();
    await broker.waitForLog(new RegExp(`Client ${id} disconnected\\.`), WAIT);

    const publisher = await connect(client(broker));
    for (const n of ["1", "2", "3"]) publisher.client.publish(`${topic}/${n}`, n, 1);
    await publisher.until(() => publisher.client.pending() === 0, "PUBACKs", WAIT);

    await connect(sleeper);
    expect(sleeper.connects).toEqual([false, true]); // session present
    await sleeper.until(() => sleeper.messages.length === 3, "stored messages", WAIT);
    expect(sleeper.messages.map((m) => [text(m.payload), m.info.qos])).toEqual([
      ["1", 1],
      ["2", 1],
      ["3", 1],
    ]);
  });

  test("broker killed and restarted: the client reconnects, resubscribes and delivers what it queued", async () => {
    const topic = unique("crash");
    const r = await connect(client(broker, { clientId: unique("survivor") }));
    await subscribed(r, `${topic}/#`, 1);
    await broker.kill();
    await r.until(() => r.closes.length === 1, "close", WAIT);
    expect(r.closes[0]!.reason).toMatch(/^closed: /);
    // Published while the broker is down: held.
    expect(["a", "b", "c"].map((n) => r.client.publish(`${topic}/${n}`, n, 1))).toEqual(["queued", "queued", "queued"]);
    await broker.restart();
    await r.until(() => r.connects.length === 2, "reconnected", WAIT);
    expect(r.connects).toEqual([false, false]); // no persistence: a new session, so it resubscribed
    await r.until(() => r.messages.length === 3, "queued messages back through the new subscription", WAIT);
    expect(r.messages.map((m) => text(m.payload))).toEqual(["a", "b", "c"]);
    // Mosquitto forwards a message to its subscribers before it sends the publisher's PUBACK,
    // and here both are this client: the last PUBACK may still be on its way.
    await r.until(() => r.client.pending() === 0, "every PUBACK", WAIT);
    expect(broker.log()).toMatch(new RegExp(`${topic}/# \\(QoS 1\\)`));
  });
});

describe("authentication and authorisation (password file, acl_file)", () => {
  let broker: Mosquitto;
  beforeAll(async () => {
    broker = await startMosquitto({ users: { alice: "wonderland", bob: "builder" }, acl: "user alice\ntopic readwrite allowed/#\ntopic write forbidden/#\n\nuser bob\ntopic write #\n" });
  });
  afterAll(async () => {
    await broker?.close();
  });

  test("the right user name and password are accepted", async () => {
    const r = await connect(client(broker, { username: "alice", password: "wonderland" }));
    expect(r.client.connected()).toBe(true);
  });

  test("a wrong password is refused with a clear reason and a long backoff", async () => {
    const r = client(broker, { username: "alice", password: "not-it", backoff: { min: 50, max: 500, long: 600000 } });
    r.client.connect();
    await r.until(() => r.closes.length === 1, "refusal", WAIT);
    expect(r.connects).toEqual([]);
    // Mosquitto 2.0 answers a bad password on 3.1.1 with return code 5, not 4.
    expect(r.closes[0]!.reason).toBe("refused: not authorized");
    expect(r.closes[0]!.retryIn).toBeGreaterThanOrEqual(300000);
  });

  test("no credentials when the broker requires them is refused", async () => {
    const r = client(broker);
    r.client.connect();
    await r.until(() => r.closes.length === 1, "refusal", WAIT);
    expect(r.closes[0]!.reason).toMatch(/^refused: (not authorized|bad user name or password)$/);
  });

  test("an acl_file does not refuse the SUBSCRIBE (Mosquitto grants it) but withholds the forbidden messages", async () => {
    const alice = await connect(client(broker, { username: "alice", password: "wonderland" }));
    expect(await subscribed(alice, "forbidden/x", 1)).toBe(1); // a Mosquitto fact, see test/support/mosquitto.ts
    expect(await subscribed(alice, "allowed/x", 1)).toBe(1);
    const bob = await connect(client(broker, { username: "bob", password: "builder" }));
    bob.client.publish("forbidden/x", "hidden", 1);
    bob.client.publish("allowed/x", "shown", 1);
    await alice.until(() => alice.messages.length === 1, "allowed message", WAIT);
    // Both came from one connection in order: the forbidden one would have arrived first.
    expect(alice.messages.map((m) => text(m.payload))).toEqual(["shown"]);
  });
});

describe("authorisation (dynamic security plugin)", () => {
  let broker: Mosquitto;
  beforeAll(async () => {
    broker = await startMosquitto({
      dynsec: {
        users: { alice: "wonderland" },
        acls: [
          { user: "alice", acltype: "subscribePattern", topic: "allowed/#", allow: true },
          { user: "alice", acltype: "publishClientSend", topic: "allowed/#", allow: true },
        ],
      },
    });
  });
  afterAll(async () => {
    await broker?.close();
  });

  test("an ACL that forbids a topic makes its SUBACK report failure (0x80)", async () => {
    const r = await connect(client(broker, { username: "alice", password: "wonderland" }));
    expect(await subscribed(r, "forbidden/x", 1)).toBe(0x80);
    expect(await subscribed(r, "allowed/x", 1)).toBe(1);
    // The refused filter is reported and forgotten; the granted one works.
    r.client.publish("allowed/x", "ok", 1);
    await r.until(() => r.messages.length === 1, "message", WAIT);
    expect(r.subacks).toEqual([
      { filter: "forbidden/x", granted: 0x80 },
      { filter: "allowed/x", granted: 1 },
    ]);
  });

  test("a wrong password through the plugin is refused too", async () => {
    const r = client(broker, { username: "alice", password: "nope" });
    r.client.connect();
    await r.until(() => r.closes.length === 1, "refusal", WAIT);
    expect(r.closes[0]!.reason).toMatch(/^refused: (not authorized|bad user name or password)$/);
  });
});

describe("TLS", () => {
  let broker: Mosquitto;
  let wrongCa: string;
  let scratch: string;
  beforeAll(async () => {
    broker = await startMosquitto({ tls: true });
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), "sensornode-wrong-ca-"));
    wrongCa = makeCertificates(scratch, "impostor").ca;
  });
  afterAll(async () => {
    await broker?.close();
    if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
  });

  test("accepted with the CA that signed the broker's certificate", async () => {
    const topic = unique("tls");
    const r = await connect(client(broker, { server: { host: broker.host, port: broker.tlsPort!, tls: true, ca: broker.ca } }));
    await subscribed(r, topic, 1);
    r.client.publish(topic, "over TLS", 1);
    await r.until(() => r.messages.length === 1, "message over TLS", WAIT);
    expect(text(r.messages[0]!.payload)).toBe("over TLS");
  });

  test("refused with another CA: never connected, the reason names the certificate problem", async () => {
    const r = client(broker, { server: { host: broker.host, port: broker.tlsPort!, tls: true, ca: wrongCa } });
    r.client.connect();
    await r.until(() => r.closes.length === 1, "TLS failure", WAIT);
    expect(r.connects).toEqual([]);
    expect(r.closes[0]!.reason).toMatch(/^closed: .*certificate/i);
  });
});
