// Figure 5 (issue 8): recovery after a Mosquitto crash and restart. 100 simulated greenhouse
// nodes (the real bundle on virtual boards, real time) and, as the baseline, 100 bare mqtt.js
// clients with their default reconnect settings (reconnectPeriod 1000 ms) that publish a
// retained `online` on every connect, each against its own Mosquitto on loopback.
//
// Time zero is when the restarted Mosquitto accepts TCP connections again. An observer
// (mqtt.js, reconnecting every 20 ms) subscribes to the status topics; each client's time is
// when its retained `online` reaches the observer (Mosquitto runs without persistence, so the
// restart forgot every retained status: an `online` seen afterwards was published afterwards;
// one already there when the observer subscribed counts at the observer's subscription time,
// an upper bound).
import fs from "node:fs";
import path from "node:path";
import mqtt from "mqtt";
import { ROOT } from "../tools/build";
import { Simulation } from "../sim/cli";
import { buildFleet } from "../sim/fleet-build";
import { startMosquitto, type Mosquitto } from "../test/support/mosquitto";

export interface RecoveryRow {
  name: string;
  count: number;
  p50: number;
  p95: number;
  max: number;
  recovered: number;
  lost?: number;
}

export interface RecoveryResult {
  rows: RecoveryRow[];
  method: string;
}

const COUNT = 100;
const TIMEOUT_MS = 60_000;

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** Waits until `ids` all have a retained/online status seen after `since` (performance.now ms). */
async function watchOnline(broker: Mosquitto, filter: string, ids: Set<string>, idOf: (topic: string) => string | undefined): Promise<{ ready: Promise<void>; seen: Map<string, number>; close(): Promise<void> }> {
  const seen = new Map<string, number>();
  let all: () => void = () => {};
  const ready = new Promise<void>((resolve) => (all = resolve));
  const observer = mqtt.connect(`mqtt://${broker.host}:${broker.port}`, { reconnectPeriod: 20, connectTimeout: 2000, clientId: `bench-observer-${process.pid}` });
  observer.on("connect", () => observer.subscribe(filter, { qos: 1 }));
  observer.on("error", () => {});
  observer.on("message", (topic, payload) => {
    const id = idOf(topic);
    if (!id || !ids.has(id)) return;
    if (payload.toString() === "online") {
      if (!seen.has(id)) seen.set(id, performance.now());
      if (seen.size === ids.size) all();
    } else seen.delete(id);
  });
  return { ready, seen, close: () => new Promise((resolve) => observer.end(true, {}, () => resolve())) };
}

async function measureOne(name: string, broker: Mosquitto, ids: string[], filter: string, idOf: (topic: string) => string | undefined): Promise<RecoveryRow> {
  const wanted = new Set(ids);
  const before = await watchOnline(broker, filter, wanted, idOf);
  await Promise.race([before.ready, new Promise((resolve) => setTimeout(resolve, TIMEOUT_MS))]);
  await before.close();
  if (before.seen.size < ids.length) throw new Error(`${name}: only ${before.seen.size} of ${ids.length} came online before the restart`);
  await broker.kill();
  await broker.restart();
  const zero = performance.now();
  const after = await watchOnline(broker, filter, wanted, idOf);
  await Promise.race([after.ready, new Promise((resolve) => setTimeout(resolve, TIMEOUT_MS))]);
  await after.close();
  const times = [...after.seen.values()].map((t) => t - zero).sort((a, b) => a - b);
  return { name, count: ids.length, p50: percentile(times, 50), p95: percentile(times, 95), max: times[times.length - 1] ?? NaN, recovered: times.length };
}

async function ours(log: (line: string) => void): Promise<RecoveryRow> {
  const broker = await startMosquitto();
  const bundles = await buildFleet(["boards/greenhouse.json"], { nodes: COUNT });
  const simulation = new Simulation(bundles, { broker: `mqtt://${broker.host}:${broker.port}`, duration: 10 * 60_000 });
  const running = simulation.start().catch(() => {});
  try {
    log(`  recovery: ${COUNT} simulated greenhouse nodes ...`);
    return await measureOne(`sensornode, ${COUNT} simulated greenhouse nodes`, broker, bundles.map((b) => b.id), "sensornode/+/status", (topic) => topic.split("/")[1]);
  } finally {
    await simulation.stop(1000);
    await running;
    await broker.close();
  }
}

async function baseline(log: (line: string) => void): Promise<RecoveryRow> {
  const broker = await startMosquitto();
  const ids = Array.from({ length: COUNT }, (_v, i) => `mqttjs-${String(i + 1).padStart(3, "0")}`);
  log(`  recovery: ${COUNT} mqtt.js clients ...`);
  const clients = ids.map((id) => {
    const status = `bench/${id}/status`;
    const client = mqtt.connect(`mqtt://${broker.host}:${broker.port}`, { clientId: id, will: { topic: status, payload: Buffer.from("offline"), qos: 1, retain: true } });
    client.on("connect", () => client.publish(status, "online", { qos: 1, retain: true }));
    client.on("error", () => {});
    return client;
  });
  try {
    return await measureOne(`mqtt.js ${mqttJsVersion()}, ${COUNT} clients, default reconnect (baseline)`, broker, ids, "bench/+/status", (topic) => topic.split("/")[1]);
  } finally {
    await Promise.all(clients.map((c) => new Promise<void>((resolve) => c.end(true, {}, () => resolve()))));
    await broker.close();
  }
}

function mqttJsVersion(): string {
  return (JSON.parse(fs.readFileSync(path.join(ROOT, "node_modules", "mqtt", "package.json"), "utf8")) as { version: string }).version;
}

export async function measureRecovery(log: (line: string) => void): Promise<{ result?: RecoveryResult; why?: string }> {
  const rows = [await ours(log), await baseline(log)];
  return {
    result: {
      rows,
      method:
        "Method: each fleet against its own Mosquitto on loopback, all online first; then Mosquitto is killed (SIGKILL, like a crash) and started again on the same port (no persistence, so retained statuses and sessions are gone). Time zero = the restarted broker accepts TCP connections; a client's time = its retained `online` reaching an observer subscribed to the status topics (one already retained when the observer subscribed counts at that moment: an upper bound). The simulated nodes run in real time (speed 1). Both kinds of client start their reconnect timers when the connection drops (at the kill), so the figure also depends on how long the kill-restart took (tens of ms here) and on time zero being found by polling the port (up to ~100 ms late). Readings lost are not measured yet: counting them needs a subscriber whose session survives the restart (Mosquitto with persistence) and the readings' seq numbers (JSON mode); neither is set up here. Fleet scale (issue 8 item 3) is not measured yet either: it needs a search over fleet sizes at 1 reading/s with an overrun detector, for which there was no time in this round.",
    },
  };
}
