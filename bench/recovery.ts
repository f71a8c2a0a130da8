// Figure 5 (issue 8): recovery after a Mosquitto crash and restart, and whether any reading
// is lost or duplicated on the way.
//
// Each fleet runs against its own Mosquitto on loopback:
//   - 100 simulated nodes running the REAL firmware bundle (VirtualBoard, real time) built
//     from bench/boards/recovery.json: ESP32, one BH1750 read every second, JSON payloads
//     (firmware/forward.ts adds a per-node `seq`, +1 per reading), QoS 1 as the firmware
//     always publishes readings;
//   - as the baseline, 100 bare mqtt.js clients with their default reconnect settings
//     (reconnectPeriod 1000 ms, default offline queueing) that publish a retained `online`
//     on every connect and the same JSON reading (with seq) every second, at QoS 1 like the
//     firmware, and once more at QoS 0.
//
// One persistent subscriber (clean session false, QoS 1, reconnecting every 20 ms)
// receives every status and reading, connected to Mosquitto directly. The publishers reach
// Mosquitto through a TCP relay (the "gate"). Mosquitto runs without persistence, so its
// SIGKILL also forgets the subscriber's session; the gate therefore stops accepting before
// the kill and opens again only once the restarted broker has the subscriber's subscription
// back. So no reading can reach the broker unsubscribed, and a missing seq is a reading the
// publisher lost (the broker's log confirms the order: column "before the subscriber").
//
// Time zero = the gate accepts connections again, which for the publishers is the broker
// coming back. A client's recovery time = its retained `online` reaching the subscriber.
// Readings lost = per client, the seq numbers missing between the first and the last one
// received (readings continue for several seconds after the restart, so a reading lost in
// the outage is a gap, not the tail); duplicates = deliveries of a seq already received.
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import mqtt, { type MqttClient } from "mqtt";
import { ROOT } from "../tools/build";
import { Simulation } from "../sim/cli";
import { buildFleet } from "../sim/fleet-build";
import { freePort, startMosquitto, type Mosquitto } from "../test/support/mosquitto";

export interface RecoveryRow {
  name: string;
  count: number;
  p50: number;
  p95: number;
  max: number;
  recovered: number;
  /** Distinct readings the subscriber received over the whole run. */
  readings: number;
  /** Readings taken after the last one delivered before the crash, up to the end (all delivered late or soon after). */
  afterCrash: number;
  lost: number;
  duplicated: number;
  /** Up to 5 clients that lost readings: which seq, counted from the last one delivered before the crash (+1 = the first reading after it). */
  lostDetail: string[];
  /** How long the broker was kept down after the kill, ms (0: restarted at once). */
  outage: number;
  /** Publishers that reconnected before the subscriber had subscribed again (the broker's log order). */
  early: number;
  /** ms from the restarted broker accepting connections to the gate opening (the subscriber subscribing again). */
  gateDelay: number;
}

export interface RecoveryResult {
  rows: RecoveryRow[];
  method: string;
  /** Wall ms from SIGKILL to the broker accepting connections again, per fleet. */
  downtime: number[];
}

const COUNT = 100;
/** Readings every client delivers before the crash, and after its last pre-crash reading, before the run ends. */
const BEFORE = 3;
const AFTER = 8;
/** The run also goes on at least this long after time zero, so readings resent out of order have arrived. */
const SETTLE_MS = 3000;
const TIMEOUT_MS = 60_000;
export const BOARD = "bench/boards/recovery.json";

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/**
 * One publisher's seq numbers in the order they arrived: how many distinct readings, how
 * many are missing between the lowest and the highest (lost), how many arrived again
 * (duplicated). Order does not matter: a reading resent late fills its gap.
 */
export function countReadings(seqs: number[]): { distinct: number; lost: number; duplicated: number; missing: number[] } {
  const distinct = new Set(seqs);
  if (distinct.size === 0) return { distinct: 0, lost: 0, duplicated: 0, missing: [] };
  let low = Infinity;
  let high = -Infinity;
  for (const seq of distinct) {
    if (seq < low) low = seq;
    if (seq > high) high = seq;
  }
  const missing: number[] = [];
  for (let seq = low; seq <= high; seq++) if (!distinct.has(seq)) missing.push(seq);
  return { distinct: distinct.size, lost: missing.length, duplicated: seqs.length - distinct.size, missing };
}

/** Resolves when `condition()` holds (checked on every `poke`), rejects after `ms` naming `what`. */
function until(condition: () => boolean, ms: number, what: () => string): { promise: Promise<void>; poke(): void } {
  let poke = () => {};
  const promise = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what()} within ${ms / 1000} s`)), ms);
    poke = () => {
      if (!condition()) return;
      clearTimeout(timer);
      resolve();
    };
    poke();
  });
  return { promise, poke: () => poke() };
}

/**
 * The publishers' way in: a TCP relay to Mosquitto (the subscriber connects to Mosquitto
 * directly). It stops accepting before the broker is killed and starts again only once the
 * restarted broker has the subscriber's subscription back, so that no reading can reach the
 * broker before someone is subscribed to it, and a missing seq is the publisher's loss.
 * Existing connections are relayed both ways and dropped together with the broker's side.
 */
export class Gate {
  private server: net.Server | undefined;
  private readonly sockets = new Set<net.Socket>();

  private constructor(
    readonly port: number,
    private readonly broker: Mosquitto,
  ) {}

  static async start(broker: Mosquitto): Promise<Gate> {
    const gate = new Gate(await freePort(), broker);
    await gate.open();
    return gate;
  }

  get url(): string {
    return `mqtt://${this.broker.host}:${this.port}`;
  }

  /** Accepts connections again; resolves with performance.now() once listening. */
  open(): Promise<number> {
    const server = net.createServer((client) => {
      const upstream = net.connect({ host: this.broker.host, port: this.broker.port });
      client.setNoDelay(true);
      upstream.setNoDelay(true);
      this.sockets.add(client).add(upstream);
      const drop = () => {
        client.destroy();
        upstream.destroy();
        this.sockets.delete(client);
        this.sockets.delete(upstream);
      };
      for (const socket of [client, upstream]) {
        socket.on("error", drop);
        socket.on("close", drop);
      }
      client.pipe(upstream);
      upstream.pipe(client);
    });
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.port, this.broker.host, () => resolve(performance.now()));
    });
  }

  /**
   * Refuses new connections from now on (as a dead broker's host does); open ones go on.
   * (server.close's callback would wait for every open connection to end: not awaited.)
   */
  close(): void {
    this.server?.close();
    this.server = undefined;
  }

  destroy(): void {
    this.close();
    this.sockets.forEach((socket) => socket.destroy());
  }
}

function endClient(client: MqttClient): Promise<void> {
  return new Promise((resolve) => client.end(true, {}, () => resolve()));
}

interface Fleet {
  name: string;
  ids: string[];
  /** MQTT topic filters for the statuses and the readings; the client id is the second topic level. */
  statusFilter: string;
  readingFilter: string;
  start(): Promise<void>;
  stop(): Promise<void>;
}

interface Track {
  seqs: number[];
  max: number;
  online?: number;
}

async function measureFleet(broker: Mosquitto, gate: Gate, fleet: Fleet, outage: number, log: (line: string) => void): Promise<{ row: RecoveryRow; downtime: number }> {
  const tracks = new Map<string, Track>(fleet.ids.map((id) => [id, { seqs: [], max: -1 }]));
  let phase: "before" | "after" = "before";
  const onlineBefore = new Set<string>();
  let subscribedAt = 0;
  const subscriberId = `bench-subscriber-${process.pid}`;
  const subscriber = mqtt.connect(`mqtt://${broker.host}:${broker.port}`, { clientId: subscriberId, clean: false, reconnectPeriod: 20, connectTimeout: 2000, resubscribe: false });
  const checks: (() => void)[] = [];
  const pokeAll = () => checks.forEach((poke) => poke());
  subscriber.on("error", () => {});
  subscriber.on("connect", (connack) => {
    if (connack.sessionPresent) return;
    subscriber.subscribe([fleet.statusFilter, fleet.readingFilter], { qos: 1 }, (error) => {
      if (error) return;
      subscribedAt = performance.now();
      pokeAll();
    });
  });
  subscriber.on("message", (topic, payload) => {
    const id = topic.split("/")[1];
    const track = id === undefined ? undefined : tracks.get(id);
    if (!track || !id) return;
    const text = payload.toString();
    if (topic.endsWith("/status")) {
      if (text !== "online") return;
      if (phase === "before") onlineBefore.add(id);
      else if (track.online === undefined) track.online = performance.now();
    } else {
      let seq: unknown;
      try {
        seq = (JSON.parse(text) as { seq?: unknown }).seq;
      } catch {
        return;
      }
      if (typeof seq !== "number") return;
      track.seqs.push(seq);
      if (seq > track.max) track.max = seq;
    }
    pokeAll();
  });

  const all = [...tracks.values()];
  try {
    const subscribed = until(() => subscribedAt > 0, 15_000, () => "the bench subscriber did not subscribe");
    checks.push(subscribed.poke);
    await subscribed.promise;
    await fleet.start();
    const ready = until(
      () => onlineBefore.size === fleet.ids.length && all.every((t) => t.seqs.length >= BEFORE),
      TIMEOUT_MS,
      () => `${fleet.name}: only ${onlineBefore.size} of ${fleet.ids.length} came online and ${all.filter((t) => t.seqs.length >= BEFORE).length} delivered ${BEFORE} readings`,
    );
    checks.push(ready.poke);
    await ready.promise;

    const maxAtCrash = new Map(fleet.ids.map((id) => [id, tracks.get(id)!.max]));
    const logMark = broker.log().length;
    phase = "after";
    subscribedAt = 0;
    let zero = Infinity;
    const killedAt = performance.now();
    gate.close();
    await broker.kill();
    // The outage itself is the scenario (a broker host rebooting), not a wait for an event.
    if (outage > 0) await new Promise((resolve) => setTimeout(resolve, outage));
    await broker.restart();
    const restarted = performance.now();
    const resubscribed = until(() => subscribedAt > 0, 15_000, () => "the bench subscriber did not subscribe again after the restart");
    checks.push(resubscribed.poke);
    await resubscribed.promise;
    zero = await gate.open();
    const recovered = until(
      () => performance.now() - zero >= SETTLE_MS && all.every((t) => t.online !== undefined) && fleet.ids.every((id) => tracks.get(id)!.max >= maxAtCrash.get(id)! + AFTER),
      TIMEOUT_MS,
      () => `${fleet.name}: after the restart only ${all.filter((t) => t.online !== undefined).length} of ${fleet.ids.length} were back online and ${fleet.ids.filter((id) => tracks.get(id)!.max >= maxAtCrash.get(id)! + AFTER).length} delivered ${AFTER} more readings`,
    );
    checks.push(recovered.poke);
    await recovered.promise;
    await fleet.stop();

    // Who was back first, in the broker's own order of events.
    const after = broker.log().slice(logMark);
    const subscribeLine = after.search(new RegExp(`Received SUBSCRIBE from ${subscriberId}`));
    const connects = [...after.matchAll(new RegExp(`New client connected from \\S+ as (?!${subscriberId}|sensornode-sim-)`, "g"))];
    const early = connects.filter((m) => subscribeLine < 0 || m.index! < subscribeLine).length;
    const times = all.map((t) => t.online! - zero).sort((a, b) => a - b);
    let lost = 0;
    let duplicated = 0;
    let readings = 0;
    let afterCrash = 0;
    const lostDetail: string[] = [];
    for (const id of fleet.ids) {
      const track = tracks.get(id)!;
      const counted = countReadings(track.seqs);
      lost += counted.lost;
      duplicated += counted.duplicated;
      readings += counted.distinct;
      afterCrash += track.max - maxAtCrash.get(id)!;
      if (counted.lost > 0 && lostDetail.length < 5) lostDetail.push(`${id}: ${counted.missing.map((seq) => `${seq - maxAtCrash.get(id)! >= 0 ? "+" : ""}${seq - maxAtCrash.get(id)!}`).join(", ")}`);
    }
    log(`  recovery: ${fleet.name}, down ${outage} ms: ${early} publishers before the subscriber, p50 ${times[Math.floor(times.length / 2)]?.toFixed(0)} ms, ${lost} lost${lostDetail.length > 0 ? ` (${lostDetail.join("; ")})` : ""}, ${duplicated} duplicated`);
    return {
      downtime: zero - killedAt,
      row: {
        name: fleet.name,
        count: fleet.ids.length,
        p50: percentile(times, 50),
        p95: percentile(times, 95),
        max: times[times.length - 1] ?? NaN,
        recovered: times.length,
        readings,
        afterCrash,
        lost,
        duplicated,
        lostDetail,
        outage,
        early,
        gateDelay: zero - restarted,
      },
    };
  } finally {
    await fleet.stop();
    await endClient(subscriber);
  }
}

/** Stops once, however often called. */
function once(stop: () => Promise<void>): () => Promise<void> {
  let done: Promise<void> | undefined;
  return () => (done ??= stop());
}

async function firmwareFleet(url: string): Promise<Fleet> {
  const bundles = await buildFleet([path.join(ROOT, BOARD)], { nodes: COUNT });
  const simulation = new Simulation(bundles, { broker: url });
  let running: Promise<void> | undefined;
  return {
    name: `sensornode, ${COUNT} simulated nodes (real firmware bundle), QoS 1`,
    ids: bundles.map((b) => b.id),
    statusFilter: "sensornode/+/status",
    readingFilter: "sensornode/+/light/illuminance",
    async start() {
      running = simulation.start();
      // A failed start (the broker unreachable) must not go unnoticed until the timeout.
      running.catch(() => {});
    },
    stop: once(async () => {
      await simulation.stop(1000);
      await running?.catch(() => {});
    }),
  };
}

/** The same JSON as firmware/forward.ts writes for this board. */
function reading(id: string, seq: number): string {
  return JSON.stringify({ device: id, sensor: "light", measurement: "illuminance", value: 300.5, unit: "lx", timestamp: new Date().toISOString(), seq });
}

function mqttJsFleet(url: string, qos: 0 | 1): Fleet {
  const ids = Array.from({ length: COUNT }, (_v, i) => `mqttjs${qos}-${String(i + 1).padStart(3, "0")}`);
  const clients: MqttClient[] = [];
  const timers: NodeJS.Timeout[] = [];
  return {
    name: `mqtt.js ${mqttJsVersion()}, ${COUNT} clients, default reconnect, QoS ${qos}${qos === 1 ? " (baseline)" : ""}`,
    ids,
    statusFilter: "mqttjs/+/status",
    readingFilter: "mqttjs/+/light/illuminance",
    async start() {
      for (const id of ids) {
        const status = `mqttjs/${id}/status`;
        const client = mqtt.connect(url, { clientId: id, will: { topic: status, payload: Buffer.from("offline"), qos: 1, retain: true } });
        client.on("connect", () => client.publish(status, "online", { qos: 1, retain: true }));
        client.on("error", () => {});
        let seq = 0;
        // Like a sensor: a reading every second whether or not the client is connected; mqtt.js queues what it cannot send.
        client.once("connect", () => timers.push(setInterval(() => client.publish(`mqttjs/${id}/light/illuminance`, reading(id, ++seq), { qos }), 1000)));
        clients.push(client);
      }
    },
    stop: once(async () => {
      timers.forEach((timer) => clearInterval(timer));
      await Promise.all(clients.map(endClient));
    }),
  };
}

function mqttJsVersion(): string {
  return (JSON.parse(fs.readFileSync(path.join(ROOT, "node_modules", "mqtt", "package.json"), "utf8")) as { version: string }).version;
}

async function withBroker<T>(run: (broker: Mosquitto, gate: Gate) => Promise<T>): Promise<T> {
  const broker = await startMosquitto();
  let gate: Gate | undefined;
  try {
    gate = await Gate.start(broker);
    return await run(broker, gate);
  } finally {
    gate?.destroy();
    await broker.close();
  }
}

/** How long the broker stays down in the second scenario (a broker host rebooting), ms. */
export const LONG_OUTAGE = 10_000;

export async function measureRecovery(log: (line: string) => void): Promise<{ result?: RecoveryResult; why?: string }> {
  const rows: RecoveryRow[] = [];
  const downtime: number[] = [];
  const fleets: [string, (url: string) => Promise<Fleet>][] = [
    [`${COUNT} simulated nodes`, firmwareFleet],
    [`${COUNT} mqtt.js clients, QoS 1`, async (url) => mqttJsFleet(url, 1)],
    [`${COUNT} mqtt.js clients, QoS 0`, async (url) => mqttJsFleet(url, 0)],
  ];
  for (const outage of [0, LONG_OUTAGE]) {
    // QoS 0 at the restart only, to keep the whole bench within a few minutes.
    for (const [label, make] of outage === 0 ? fleets : fleets.slice(0, 2)) {
      log(`  recovery: ${label}, broker down ${outage / 1000} s ...`);
      const measured = await withBroker(async (broker, gate) => measureFleet(broker, gate, await make(gate.url), outage, log));
      rows.push(measured.row);
      downtime.push(measured.downtime);
    }
  }
  return { result: { rows, downtime, method: METHOD } };
}

const METHOD =
  "Method: each fleet against its own Mosquitto 2.0 on loopback (no persistence). A persistent subscriber (clean session false, QoS 1, reconnect every 20 ms) connected to Mosquitto directly receives every status and reading; the publishers reach Mosquitto through a TCP relay in the bench process (the gate). Once every client is online and has delivered " +
  `${BEFORE} readings, the gate stops accepting and Mosquitto is killed (SIGKILL, like a crash; every connection drops), then started again on the same port: at once (a broker restart), or after ${LONG_OUTAGE / 1000} s (a broker host rebooting; mqtt.js at QoS 1 only, to keep the bench short). The restart forgot the subscriber's session with everything else, so it subscribes again on its CONNACK, and only then does the gate accept connections again: time zero. So no reading can reach the broker before someone is subscribed, which the broker's log confirms (column "before the subscriber": publishers that connected before the subscriber's SUBSCRIBE). ` +
  `A client's time = its retained \`online\` reaching the subscriber. The run goes on until every client has delivered ${AFTER} readings past its last one before the crash, and at least ${SETTLE_MS / 1000} s after time zero. Readings lost = per client, seq numbers missing between the first and the last received; duplicated = a seq delivered again. ` +
  `Simulated nodes: the real bundle of ${BOARD} (ESP32, BH1750 every 1 s, JSON payload with seq, QoS 1) on virtual boards in real time, all in this one Node process. mqtt.js clients: default options (reconnectPeriod 1000 ms, clean session, queueQoSZero true), a retained \`online\` on every connect, the same JSON every 1 s from a timer that keeps running while disconnected.`;
