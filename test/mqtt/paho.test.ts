// (5) Interop with the seeds' client: Eclipse paho-mqtt (Debian's python3-paho-mqtt, run by
// Debian's own /usr/bin/python3, which may not be the first python3 on PATH) against a
// real Mosquitto. paho receives our QoS 1/2 publishes and our will; we receive paho's.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import type { ClientOptions } from "../../firmware/mqtt/client";
import type { Connection, Transport } from "../../hal/net";
import { nodeTransport } from "../../sim/node-transport";
import { type Mosquitto, startMosquitto } from "../support/mosquitto";
import { recordedClient, type Recorded } from "./harness";
import { realClock, text } from "./helpers";

const PYTHON = "/usr/bin/python3";
const SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), "paho_client.py");
const WAIT = 20000;

/** A running paho process: its stdout, line by line. */
class Paho {
  private lines: string[] = [];
  private waiters: { pattern: RegExp; resolve: (line: string) => void }[] = [];
  private stderr = "";
  readonly exited: Promise<number | null>;

  constructor(readonly process: ChildProcess) {
    let buffer = "";
    process.stdout!.on("data", (data: Buffer) => {
      buffer += data.toString();
      const parts = buffer.split("\n");
      buffer = parts.pop()!;
      for (const line of parts) {
        this.lines.push(line);
        this.check();
      }
    });
    process.stderr!.on("data", (data: Buffer) => {
      this.stderr += data.toString();
    });
    this.exited = new Promise((resolve) => process.once("exit", (code) => resolve(code)));
  }

  private check() {
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      const waiter = this.waiters[i]!;
      const index = this.lines.findIndex((l) => waiter.pattern.test(l));
      if (index >= 0) {
        waiter.resolve(this.lines.splice(index, 1)[0]!);
        this.waiters.splice(i, 1);
      }
    }
  }

  /** The next output line matching `pattern` (taken from the output). */
  line(pattern: RegExp): Promise<string> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`paho never printed ${pattern} within ${WAIT} ms; stderr: ${this.stderr}; lines: ${this.lines.join(" | ")}`)), WAIT);
      this.waiters.push({
        pattern,
        resolve: (line) => {
          clearTimeout(timer);
          resolve(line);
        },
      });
      this.check();
    });
  }

  async messages(count: number): Promise<{ topic: string; payload: string; qos: number; retain: boolean }[]> {
    const out = [];
    for (let i = 0; i < count; i++) out.push(JSON.parse(await this.line(/^\{/)));
    return out;
  }
}

let processes: Paho[] = [];
let clients: Recorded[] = [];
let broker: Mosquitto;
let run = 0;
const unique = (name: string) => `${name}-${process.pid}-${++run}`;

function paho(...args: (string | number)[]): Paho {
  const p = new Paho(spawn(PYTHON, [SCRIPT, ...args.map(String)], { stdio: ["ignore", "pipe", "pipe"] }));
  processes.push(p);
  return p;
}

function client(overrides: Partial<ClientOptions> = {}, transport: Transport = nodeTransport): Recorded {
  const r = recordedClient({ server: { host: broker.host, port: broker.port }, clientId: unique("ours"), keepAlive: 30, backoff: { min: 50, max: 500 }, ...overrides }, realClock, transport);
  clients.push(r);
  return r;
}

async function connect(r: Recorded) {
  r.client.connect();
  await r.until(() => r.connects.length === 1, "CONNACK", WAIT);
  return r;
}

beforeAll(async () => {
  // Fail loudly, never skip: CI installs python3-paho-mqtt.
  try {
    execFileSync(PYTHON, ["-c", "import paho.mqtt.client"], { stdio: "pipe" });
  } catch (error) {
    throw new Error(`${PYTHON} cannot import paho.mqtt: install the Debian package python3-paho-mqtt (${(error as Error).message})`, { cause: error });
  }
  broker = await startMosquitto();
});

afterEach(async () => {
  for (const r of clients) r.client.end();
  clients = [];
  for (const p of processes) {
    if (p.process.exitCode === null) p.process.kill("SIGKILL");
    await p.exited;
  }
  processes = [];
});

afterAll(async () => {
  await broker?.close();
});

describe("paho-mqtt", () => {
  test("a paho subscriber receives our QoS 1 and QoS 2 publishes, payloads and UTF-8 topics intact", async () => {
    const topic = `${unique("to-paho")}/état`;
    const subscriber = paho("sub", broker.host, broker.port, 2, 3, `${topic}/#`);
    expect(await subscriber.line(/^READY/)).toBe("READY [2]");
    const r = await connect(client());
    r.client.publish(`${topic}/1`, new Uint8Array([0, 255, 1]), 1);
    r.client.publish(`${topic}/2`, "deux 😀", 2);
    r.client.publish(`${topic}/2`, "encore", 2);
    const messages = await subscriber.messages(3);
    expect(messages).toEqual([
      { topic: `${topic}/1`, payload: "00ff01", qos: 1, retain: false },
      { topic: `${topic}/2`, payload: Buffer.from("deux 😀").toString("hex"), qos: 2, retain: false },
      { topic: `${topic}/2`, payload: Buffer.from("encore").toString("hex"), qos: 2, retain: false },
    ]);
    await r.until(() => r.client.pending() === 0, "acknowledged", WAIT);
    expect(await subscriber.exited).toBe(0);
  });

  test("a paho subscriber receives our will when our connection is cut", async () => {
    const topic = unique("will");
    const subscriber = paho("sub", broker.host, broker.port, 1, 1, topic);
    await subscriber.line(/^READY/);
    const connections: Connection[] = [];
    const transport: Transport = {
      connect(options, handlers) {
        const connection = nodeTransport.connect(options, handlers);
        connections.push(connection);
        return connection;
      },
    };
    await connect(client({ will: { topic, payload: "lost", qos: 1, retain: false } }, transport));
    connections[0]!.destroy();
    expect(await subscriber.messages(1)).toEqual([{ topic, payload: Buffer.from("lost").toString("hex"), qos: 1, retain: false }]);
  });

  test.each([0, 1, 2])("our client receives paho's QoS %i publishes", async (qos) => {
    const topic = unique("from-paho");
    const r = await connect(client());
    r.client.subscribe(topic, 2);
    await r.until(() => r.subacks.length === 1, "SUBACK", WAIT);
    const publisher = paho("pub", broker.host, broker.port, qos, topic, "un", "deux", "trois ✓");
    await publisher.line(/^DONE/);
    await r.until(() => r.messages.length === 3, "paho's messages", WAIT);
    expect(r.messages.map((m) => [m.topic, text(m.payload), m.info.qos])).toEqual([
      [topic, "un", qos],
      [topic, "deux", qos],
      [topic, "trois ✓", qos],
    ]);
  });
});
