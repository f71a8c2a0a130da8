// Figure (issue 8 item 3, issue 6's closing note): fleet scale. The largest number of
// full-firmware simulated nodes this machine runs in real time at one reading per second each
// with NO overrun, against the embedded broker; next to the same number of bare mqtt.js
// clients publishing the same payloads, at the same rate, to the same kind of broker.
//
// One trial = one child process (so RSS is the trial's own and nothing lingers between
// trials): `node bin/sensornode.js`-style tsx, running `bench/fleet.ts trial <sim|mqttjs> <N>`,
// which prints one JSON line. A sim trial is `sensornode sim <fleet board> --nodes N` at
// real time through the library API: nodes powered on at CONNECT_RATE per second, then
// STEADY seconds with every node online. It passes when the simulator reported no overrun
// (sim/board/scheduler.ts: no timer fired more than 250 ms late, the whole run) and every node
// got online. The share of the readings due in the steady window that the broker routed is
// reported beside it (a window edge can cut a reading either way, so it is not the test).
//
// The search doubles from 50 while trials pass, then bisects between the last pass and the
// first failure, within a wall-time budget (about 3 minutes with the baseline).
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import mqtt from "mqtt";
import { startBroker } from "../sim/broker";
import { Simulation } from "../sim/cli";
import { buildFleet } from "../sim/fleet-build";
import { ROOT } from "../tools/build";

/** Nodes powered on (or clients connected) per second. */
export const CONNECT_RATE = 100;
/** Seconds measured once every node is online. */
export const STEADY = 10;
/** Timers later than this (ms) are an overrun. */
export const THRESHOLD = 250;
const INTERVAL = 1000;

export interface FleetTrial {
  kind: "sim" | "mqttjs";
  nodes: number;
  /** Wall ms from the start until every node (client) had its `online` routed (connected). */
  connectMs: number;
  /** Nodes (clients) online at the end of the ramp; a trial where some never got there fails. */
  online: number;
  /** Readings routed in the steady window / readings due in it. */
  delivered: number;
  /** Overrun episodes and the largest lag, ms (mqtt.js: the largest lateness of its 1 s timers). */
  episodes: number;
  maxLag: number;
  rssMiB: number;
  passed: boolean;
  error?: string;
}

/** A board publishing one reading per second: an ESP32 with a BH1750 read every 1000 ms (not in boards/). */
export function fleetBoard(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sensornode-fleet-"));
  const file = path.join(dir, "fleet.json");
  const board = {
    node: "fleet",
    board: "ESP32",
    wifi: { ssid: "bench", password: "${WIFI_PASSWORD}" },
    mqtt: { host: "192.168.1.10" },
    i2c: [{ name: "i2c0", scl: "D22", sda: "D21" }],
    sensors: [{ name: "light", type: "bh1750", bus: "i2c0", address: 35, interval: INTERVAL }],
  };
  fs.writeFileSync(file, JSON.stringify(board, null, 2));
  return file;
}

const isReading = (topic: string) => topic.endsWith("/light/illuminance");

async function peakRss<T>(work: () => Promise<T>): Promise<{ value: T; rssMiB: number }> {
  let rss = process.memoryUsage().rss;
  const sampler = setInterval(() => (rss = Math.max(rss, process.memoryUsage().rss)), 250);
  try {
    const value = await work();
    return { value, rssMiB: Math.max(rss, process.memoryUsage().rss) / 2 ** 20 };
  } finally {
    clearInterval(sampler);
  }
}

/** Full firmware on N virtual boards, real time, embedded broker. */
async function simTrial(nodes: number): Promise<FleetTrial> {
  const bundles = await buildFleet([fleetBoard()], { nodes });
  const ramp = Math.ceil((1000 * nodes) / CONNECT_RATE) + 4000;
  const simulation = new Simulation(bundles, { speed: 1, duration: ramp + STEADY * 1000, connectRate: CONNECT_RATE, overrunThreshold: THRESHOLD });
  const onlineAt = new Map<string, number>();
  const readings: number[] = [];
  let startedWall = 0;
  let allOnlineWall = 0;
  simulation.onEvent((event) => {
    if (event.type === "sim" && event.what === "started") startedWall = performance.now();
    if (event.type !== "mqtt") return;
    const topic = String(event.topic);
    if (topic.endsWith("/status") && event.payload === "online" && !onlineAt.has(topic)) {
      onlineAt.set(topic, event.time);
      if (onlineAt.size === nodes) allOnlineWall = performance.now();
    } else if (isReading(topic)) readings.push(event.time);
  });
  const { rssMiB } = await peakRss(() => simulation.start());
  const overrun = simulation.overrun()!;
  await simulation.stop();
  const windowStart = ramp;
  const due = nodes * STEADY;
  const delivered = readings.filter((t) => t >= windowStart && t < windowStart + STEADY * 1000).length / due;
  const online = onlineAt.size;
  return {
    kind: "sim",
    nodes,
    connectMs: allOnlineWall ? allOnlineWall - startedWall : NaN,
    online,
    delivered,
    episodes: overrun.episodes,
    maxLag: overrun.maxLag,
    rssMiB,
    passed: online === nodes && overrun.episodes === 0,
  };
}

/** N bare mqtt.js clients, each publishing the node's payload (QoS 1, like the firmware) every second, to an embedded broker in the same process. */
async function mqttJsTrial(nodes: number): Promise<FleetTrial> {
  const broker = await startBroker({ wsPort: false });
  const clients: mqtt.MqttClient[] = [];
  const timers: NodeJS.Timeout[] = [];
  let routed = 0;
  let counting = false;
  broker.onMessage((message) => {
    if (counting && isReading(message.topic)) routed++;
  });
  let maxLag = 0;
  const start = performance.now();
  const { value: connectMs, rssMiB } = await peakRss(async () => {
    let connected = 0;
    let allConnected = 0;
    await new Promise<void>((resolve) => {
      for (let i = 0; i < nodes; i++) {
        setTimeout(
          () => {
            const id = `fleet-${String(i + 1).padStart(3, "0")}`;
            const client = mqtt.connect({ host: broker.host, port: broker.port, clientId: `sensornode-${id}`, keepalive: 60, will: { topic: `sensornode/${id}/status`, payload: Buffer.from("offline"), qos: 1, retain: true } });
            clients.push(client);
            client.once("connect", () => {
              client.publish(`sensornode/${id}/status`, "online", { qos: 1, retain: true });
              let due = performance.now() + INTERVAL;
              const tick = () => {
                const late = performance.now() - due;
                if (counting && late > maxLag) maxLag = late;
                client.publish(`sensornode/${id}/light/illuminance`, "123.4", { qos: 1 });
                due += INTERVAL;
                timers[i] = setTimeout(tick, Math.max(0, due - performance.now()));
              };
              timers[i] = setTimeout(tick, INTERVAL);
              if (++connected === nodes) {
                allConnected = performance.now() - start;
                resolve();
              }
            });
          },
          Math.floor((1000 * i) / CONNECT_RATE),
        );
      }
    });
    counting = true;
    await new Promise((resolve) => setTimeout(resolve, STEADY * 1000));
    counting = false;
    return allConnected;
  });
  timers.forEach((t) => clearTimeout(t));
  await Promise.all(clients.map((c) => c.endAsync()));
  await broker.stop();
  const delivered = routed / (nodes * STEADY);
  return { kind: "mqttjs", nodes, connectMs, online: clients.length, delivered, episodes: maxLag > THRESHOLD ? 1 : 0, maxLag, rssMiB, passed: maxLag <= THRESHOLD };
}

/** One trial in a child process of its own. */
function trialInChild(kind: "sim" | "mqttjs", nodes: number): Promise<FleetTrial> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", path.join(ROOT, "bench", "fleet.ts"), "trial", kind, String(nodes)], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, WIFI_PASSWORD: process.env.WIFI_PASSWORD ?? "bench" },
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    child.on("close", (code) => {
      const line = out.trim().split("\n").pop() ?? "";
      try {
        resolve(JSON.parse(line) as FleetTrial);
      } catch {
        resolve({ kind, nodes, connectMs: NaN, online: 0, delivered: 0, episodes: 0, maxLag: 0, rssMiB: 0, passed: false, error: `trial exited ${code}: ${err.trim().split("\n").slice(-3).join(" / ")}` });
      }
    });
  });
}

export interface FleetResult {
  trials: FleetTrial[];
  /** Largest passing N, or 0. */
  largest: number;
  best?: FleetTrial;
  baseline?: FleetTrial;
  budgetHit: boolean;
}

/** Doubles from `from` while trials pass, then bisects; stops when the wall budget (ms) runs out. */
export async function measureFleet(log: (line: string) => void, options: { from?: number; budgetMs?: number } = {}): Promise<FleetResult> {
  const started = performance.now();
  const budget = options.budgetMs ?? 150_000;
  const trials: FleetTrial[] = [];
  let pass = 0;
  let fail = Infinity;
  let next = options.from ?? 50;
  let budgetHit = false;
  const run = async (nodes: number) => {
    log(`  fleet: ${nodes} nodes ...`);
    const trial = await trialInChild("sim", nodes);
    trials.push(trial);
    log(`  fleet: ${nodes} nodes ${trial.passed ? "kept the schedule" : "did not"} (overrun episodes ${trial.episodes}, max lag ${Math.round(trial.maxLag)} ms, delivered ${(trial.delivered * 100).toFixed(1)} %, RSS ${Math.round(trial.rssMiB)} MiB${trial.error ? `, ${trial.error}` : ""})`);
    return trial.passed;
  };
  // the cost of the next trial grows with N: stop before one would overrun the budget
  const affordable = (nodes: number) => {
    const last = trials[trials.length - 1];
    const estimate = last ? ((performance.now() - started) / trials.length) * (nodes / last.nodes) : 0;
    return performance.now() - started + estimate < budget;
  };
  while (fail === Infinity) {
    if (!affordable(next)) {
      budgetHit = true;
      break;
    }
    if (await run(next)) {
      pass = next;
      next *= 2;
    } else fail = next;
  }
  while (fail !== Infinity && fail - pass > Math.max(10, pass / 8)) {
    const middle = Math.round((pass + fail) / 2 / 10) * 10;
    if (middle <= pass || middle >= fail || !affordable(middle)) {
      budgetHit = !affordable(middle);
      break;
    }
    if (await run(middle)) pass = middle;
    else fail = middle;
  }
  const best = trials.find((t) => t.nodes === pass && t.passed);
  let baseline: FleetTrial | undefined;
  if (pass > 0) {
    log(`  fleet: baseline, ${pass} mqtt.js clients ...`);
    baseline = await trialInChild("mqttjs", pass);
  }
  return { trials, largest: pass, best, baseline, budgetHit };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href && process.argv[2] === "trial") {
  const kind = process.argv[3] === "mqttjs" ? "mqttjs" : "sim";
  const nodes = Number(process.argv[4]);
  const trial = await (kind === "sim" ? simTrial(nodes) : mqttJsTrial(nodes)).catch(
    (error: unknown): FleetTrial => ({ kind, nodes, connectMs: NaN, online: 0, delivered: 0, episodes: 0, maxLag: 0, rssMiB: 0, passed: false, error: (error as Error).message }),
  );
  process.stdout.write(`${JSON.stringify(trial)}\n`);
  process.exit(0);
}

const fmt = (value: number, digits = 0) => (Number.isFinite(value) ? value.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits }) : "-");

/** The RESULTS.md section. */
export function fleetSection(result: FleetResult): string {
  const row = (label: string, t: FleetTrial, base?: FleetTrial) => [
    label,
    t.nodes,
    t.passed ? "yes" : "no",
    `${t.episodes} (max lag ${fmt(t.maxLag)} ms)`,
    `${fmt(t.delivered * 100, 1)} %`,
    `${fmt(t.connectMs / 1000, 1)} s`,
    fmt(t.rssMiB),
    base ? `${(t.rssMiB / base.rssMiB).toFixed(2)}× RSS` : "",
  ];
  const head = ["run", "nodes", "kept the schedule", "overrun episodes", "readings routed", "all online after", "peak RSS MiB", "vs mqtt.js"];
  const rows = [...result.trials.map((t) => row(t.error ? `sim (${t.error})` : "sim, full firmware", t, t === result.best ? result.baseline : undefined))];
  if (result.baseline) rows.push(row("bare mqtt.js clients (baseline)", result.baseline));
  const lines = [`| ${head.join(" | ")} |`, `|:---|${head.slice(1).map(() => "---:").join("|")}|`, ...rows.map((r) => `| ${r.join(" | ")} |`)];
  return [
    "## 3. Fleet scale",
    "",
    result.largest > 0
      ? `**${result.largest} full-firmware nodes** at one reading per second each ran in real time with no overrun${result.best ? `, in ${fmt(result.best.rssMiB)} MiB peak RSS (simulator, nodes and embedded broker in one process), all online ${fmt(result.best.connectMs / 1000, 1)} s after the start (powered on at ${CONNECT_RATE} per second)` : ""}.${result.budgetHit ? " The search stopped at its time budget, so the real limit may be higher." : ""}`
      : "No fleet size passed on this run.",
    "",
    ...lines,
    "",
    `Method: \`bench/fleet.ts\`. Board: an ESP32 with one BH1750 read every 1,000 ms (generated in a temporary folder, not in boards/), cloned N times (\`--nodes N\`), the real bundle on virtual boards at real time (speed 1) against the embedded aedes broker, nodes powered on at ${CONNECT_RATE}/s (\`--connect-rate\`). Each trial runs in a child process of its own: the ramp, plus 4 s, then ${STEADY} s measured. A size passes when the simulator's overrun measurement (sim/board/scheduler.ts: how late the clock fires timers against real time) reported no episode over ${THRESHOLD} ms for the whole run and every node was online; "readings routed" is what the broker routed in the measured ${STEADY} s against one reading per node per second (a reading at either edge of the window can fall either way). The search doubles from 50 and bisects after the first failure, within about 2.5 minutes. Baseline: the largest passing N of bare mqtt.js clients (mqtt.js ${mqttJsVersion()}) connecting at the same rate and publishing the node's payload (QoS 1, once a second, retained online status and a will like the node) to an embedded aedes broker in one process; its "overrun" is its own timers firing more than ${THRESHOLD} ms late. The machine is shared with other work while the benchmark runs, so the limit moves from run to run.`,
  ].join("\n");
}

function mqttJsVersion(): string {
  try {
    return (JSON.parse(fs.readFileSync(path.join(ROOT, "node_modules", "mqtt", "package.json"), "utf8")) as { version: string }).version;
  } catch {
    return "?";
  }
}
