// Figure 2: bytes on the wire per reading. A byte-counting TCP proxy (node:net) sits between
// each publisher and a real Mosquitto (test/support/mosquitto.ts), all on loopback. The proxy
// cuts both directions into MQTT packets (fixed header + remaining length) and tallies the
// bytes per packet type, so connection setup, readings and keepalive are counted apart.
// TCP payload only: TCP/IP headers (~52-66 bytes per segment on the air) are not counted.
//
// Publishers, each at QoS 0 and QoS 1:
//  - ours, plain: firmware/mqtt/client.ts over the Node transport, CONNECT as the node sends
//    it (client id sensornode-<node>-<serial>, will = retained "offline" on the status topic),
//    payload the value alone ("21.4");
//  - ours, JSON: the same, payload as firmware/forward.ts builds it in JSON mode;
//  - paho (baseline): bench/paho_publisher.py, the seeds' JSON reading, same topic, same client id.
//
// Keepalive: each run uses keepalive 2 s and publishes every 1/3 s (the ratio of a 10 s
// reading interval to the default 60 s keepalive) for 30 readings (10 s, 5 keepalive periods), and counts the PINGREQs the
// client really sent; pings per hour = (pings per keepalive period observed) x 60.
import { spawn } from "node:child_process";
import net from "node:net";
import path from "node:path";
import { createClient } from "../firmware/mqtt/client";
import type { Clock } from "../hal/clock";
import { nodeTransport } from "../sim/node-transport";
import { startMosquitto } from "../test/support/mosquitto";
import { ROOT } from "../tools/build";

const TYPES = ["reserved", "CONNECT", "CONNACK", "PUBLISH", "PUBACK", "PUBREC", "PUBREL", "PUBCOMP", "SUBSCRIBE", "SUBACK", "UNSUBSCRIBE", "UNSUBACK", "PINGREQ", "PINGRESP", "DISCONNECT"];

export const NODE = "greenhouse";
export const TOPIC = `sensornode/${NODE}/air/temperature`;
export const CLIENT_ID = `sensornode-${NODE}-3c71bf12`;
const KEEPALIVE_S = 2;
const READINGS = 30;
const INTERVAL_MS = 1000 / 3;
/** The hour being modelled: a reading every 10 s, keepalive 60 s. */
const HOUR_READINGS = 360;
const HOUR_KEEPALIVE_PERIODS = 60;

/** Bytes and packet count per packet type, per direction. */
type Tally = Record<string, { packets: number; bytes: number }>;

interface ProxyConnection {
  up: Tally;
  down: Tally;
  closed: Promise<void>;
}

/** Cuts a byte stream into MQTT packets and tallies them. */
function packetCounter(tally: Tally): (chunk: Buffer) => void {
  let pending = Buffer.alloc(0);
  return (chunk) => {
    pending = Buffer.concat([pending, chunk]);
    for (;;) {
      if (pending.length < 2) return;
      let length = 0;
      let multiplier = 1;
      let at = 1;
      for (;;) {
        if (at >= pending.length) return;
        const byte = pending[at++]!;
        length += (byte & 127) * multiplier;
        multiplier *= 128;
        if ((byte & 128) === 0) break;
      }
      const total = at + length;
      if (pending.length < total) return;
      const type = TYPES[pending[0]! >> 4] ?? "?";
      const entry = (tally[type] ??= { packets: 0, bytes: 0 });
      entry.packets++;
      entry.bytes += total;
      pending = pending.subarray(total);
    }
  };
}

async function startProxy(target: { host: string; port: number }): Promise<{ port: number; connections: ProxyConnection[]; close(): Promise<void> }> {
  const connections: ProxyConnection[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(target);
    sockets.add(client).add(upstream);
    const connection: ProxyConnection = { up: {}, down: {}, closed: new Promise((resolve) => client.once("close", () => resolve())) };
    connections.push(connection);
    const countUp = packetCounter(connection.up);
    const countDown = packetCounter(connection.down);
    client.on("data", (data: Buffer) => {
      countUp(data);
      upstream.write(data);
    });
    upstream.on("data", (data: Buffer) => {
      countDown(data);
      client.write(data);
    });
    client.on("close", () => upstream.end());
    upstream.on("close", () => client.end());
    client.on("error", () => upstream.destroy());
    upstream.on("error", () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    connections,
    close: () =>
      new Promise((resolve) => {
        sockets.forEach((s) => s.destroy());
        server.close(() => resolve());
      }),
  };
}

const realClock: Clock = {
  now: () => performance.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => {
    if (handle !== undefined) clearTimeout(handle as NodeJS.Timeout);
  },
};

/** The reading as firmware/forward.ts writes it in JSON mode (timestamp valid). */
export function ourJson(value: string, seq: number): string {
  return (
    `{"device":${JSON.stringify(NODE)},"sensor":"air","measurement":"temperature","value":${value},"unit":${JSON.stringify("°C")}` +
    `,"timestamp":${JSON.stringify(new Date().toISOString())},"seq":${seq}}`
  );
}

const valueAt = (i: number) => (21.4 + (i % 7) / 10).toFixed(1);

async function runOurs(port: number, qos: number, json: boolean): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    let sent = 0;
    let timer: NodeJS.Timeout | undefined;
    const client = createClient({
      clock: realClock,
      transport: nodeTransport,
      server: { host: "127.0.0.1", port },
      clientId: CLIENT_ID,
      keepAlive: KEEPALIVE_S,
      will: { topic: `sensornode/${NODE}/status`, payload: "offline", qos: 1, retain: true },
      onConnect: () => {
        const start = performance.now();
        const tick = () => {
          const payload = json ? ourJson(valueAt(sent), sent + 1) : valueAt(sent);
          client.publish(TOPIC, payload, qos, false);
          sent++;
          if (sent < READINGS) timer = setTimeout(tick, start + sent * INTERVAL_MS - performance.now());
          else timer = setTimeout(finish, INTERVAL_MS);
        };
        tick();
      },
      onClose: (reason) => {
        if (!reason.startsWith("ended")) {
          clearTimeout(timer);
          reject(new Error(`our client closed: ${reason}`));
        }
      },
    });
    const finish = () => {
      const wait = () => (client.pending() === 0 ? (client.end(), resolve()) : setTimeout(wait, 10));
      wait();
    };
    client.connect();
  });
}

function runPaho(port: number, qos: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      "/usr/bin/python3",
      [path.join(ROOT, "bench", "paho_publisher.py"), "127.0.0.1", String(port), String(qos), String(KEEPALIVE_S), String(READINGS), String(INTERVAL_MS / 1000), CLIENT_ID, TOPIC, NODE],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    let output = "";
    child.stdout.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr.on("data", (d: Buffer) => (output += d.toString()));
    child.once("error", reject);
    child.once("exit", (code) => (code === 0 && output.includes("DONE") ? resolve() : reject(new Error(`paho publisher exited ${code}: ${output.slice(-500)}`))));
  });
}

export interface WireRow {
  publisher: string;
  qos: number;
  /** CONNECT + CONNACK. */
  connect: number;
  /** PUBLISH (+ PUBACK at QoS 1), bytes per reading, both directions. */
  perReading: number;
  payload: number;
  /** PINGREQ + PINGRESP observed per keepalive period. */
  pingsPerPeriod: number;
  pingBytes: number;
  disconnect: number;
  /** connect + 360 readings + pings for an hour + disconnect. */
  hour: number;
  perReadingAmortised: number;
}

function summarise(publisher: string, qos: number, connection: ProxyConnection, payload: number): WireRow {
  const get = (tally: Tally, type: string) => tally[type] ?? { packets: 0, bytes: 0 };
  const publishes = get(connection.up, "PUBLISH");
  const acks = get(connection.down, "PUBACK");
  const connect = get(connection.up, "CONNECT").bytes + get(connection.down, "CONNACK").bytes;
  const perReading = (publishes.bytes + acks.bytes) / publishes.packets;
  const pings = get(connection.up, "PINGREQ").packets;
  const pingBytes = pings === 0 ? 4 : (get(connection.up, "PINGREQ").bytes + get(connection.down, "PINGRESP").bytes) / pings;
  const periods = (READINGS * INTERVAL_MS) / (KEEPALIVE_S * 1000);
  const pingsPerPeriod = pings / periods;
  const disconnect = get(connection.up, "DISCONNECT").bytes;
  const hour = connect + HOUR_READINGS * perReading + pingsPerPeriod * HOUR_KEEPALIVE_PERIODS * pingBytes + disconnect;
  return { publisher, qos, connect, perReading, payload, pingsPerPeriod, pingBytes, disconnect, hour, perReadingAmortised: hour / HOUR_READINGS };
}

export async function measureWire(log: (line: string) => void = () => {}): Promise<{ rows: WireRow[]; broker: string }> {
  const mosquitto = await startMosquitto();
  const rows: WireRow[] = [];
  try {
    const version = /mosquitto version (\S+)/.exec(mosquitto.log())?.[1] ?? "?";
    for (const qos of [0, 1]) {
      const cases: { name: string; run: (port: number) => Promise<void>; payload: number }[] = [
        { name: "ours, plain", run: (p) => runOurs(p, qos, false), payload: Buffer.byteLength(valueAt(0)) },
        { name: "ours, JSON", run: (p) => runOurs(p, qos, true), payload: Buffer.byteLength(ourJson(valueAt(0), 1)) },
        { name: "paho-mqtt, seeds' JSON (baseline)", run: (p) => runPaho(p, qos), payload: Buffer.byteLength(pahoJson(valueAt(0))) },
      ];
      for (const c of cases) {
        log(`  wire: ${c.name}, QoS ${qos} ...`);
        const proxy = await startProxy({ host: mosquitto.host, port: mosquitto.port });
        try {
          await c.run(proxy.port);
          const connection = proxy.connections[0];
          if (!connection) throw new Error(`${c.name}: no connection reached the proxy`);
          await Promise.race([connection.closed, new Promise((resolve) => setTimeout(resolve, 2000))]);
          rows.push(summarise(c.name, qos, connection, c.payload));
        } finally {
          await proxy.close();
        }
      }
    }
    return { rows, broker: `Mosquitto ${version}` };
  } finally {
    await mosquitto.close();
  }
}

/** What paho_publisher.py sends (json.dumps defaults), for the payload column only. */
function pahoJson(value: string): string {
  return `{"device_id": "${NODE}", "measurement": "temperature", "value": ${value}, "unit": "\\u00b0C", "timestamp": "${new Date().toISOString()}"}`;
}
