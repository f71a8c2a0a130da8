// `npm run bench` (= `sensornode bench`): runs the benchmarks of issue 8 that this machine can
// run, prints the tables and writes bench/RESULTS.md. Benchmarks report; they never assert.
//
//   npx sensornode bench                      everything
//   npx sensornode bench footprint wire       only these figures (footprint, wire, accelerated, fleet, recovery)
//
// Each figure stands next to its baseline from the same run, as a ratio.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ROOT } from "../tools/build";
import { BUDGETS } from "../tools/memory";
import { boardFiles, measureBoard, mqttJsSize, type BoardFootprint } from "./footprint";
import { measureWire, type WireRow } from "./wire";
import { measureAccelerated, type AcceleratedRow } from "./accelerated";
import { measureRecovery, type RecoveryResult } from "./recovery";
import { fleetSection, measureFleet } from "./fleet";

export const FIGURES = ["footprint", "wire", "accelerated", "fleet", "recovery"] as const;
type Figure = (typeof FIGURES)[number];

const n = (value: number, digits = 0) => value.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
const ratio = (value: number, base: number) => (base > 0 ? `${(value / base).toFixed(2)}×` : "-");
const pct = (value: number, base: number) => `${Math.round((100 * value) / base)} %`;

function table(head: string[], rows: (string | number)[][], right: boolean[] = head.map((_h, i) => i > 0)): string {
  const lines = [`| ${head.join(" | ")} |`, `|${right.map((r) => (r ? "---:" : ":---")).join("|")}|`];
  for (const row of rows) lines.push(`| ${row.map(String).join(" | ")} |`);
  return lines.join("\n");
}

function machine(): string[] {
  const cpus = os.cpus();
  let paho: string;
  let mosquitto: string;
  try {
    paho = execFileSync("/usr/bin/python3", ["-c", "import paho.mqtt; print(paho.mqtt.__version__)"], { encoding: "utf8" }).trim();
  } catch {
    paho = "not installed";
  }
  try {
    mosquitto = /mosquitto version (\S+)/.exec(execFileSync("/usr/sbin/mosquitto", ["-h"], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }))?.[1] ?? "?";
  } catch (error) {
    mosquitto = /mosquitto version (\S+)/.exec(String((error as { stdout?: string }).stdout ?? ""))?.[1] ?? "?";
  }
  const mqttJs = (JSON.parse(fs.readFileSync(path.join(ROOT, "node_modules", "mqtt", "package.json"), "utf8")) as { version: string }).version;
  return [
    `- date: ${new Date().toISOString()}`,
    `- machine: ${os.availableParallelism()} CPUs (nproc; ${cpus[0]?.model.trim() ?? "?"}), ${n(os.totalmem() / 2 ** 30, 1)} GiB memory, ${os.type()} ${os.release()} ${os.arch()}`,
    `- software: Node.js ${process.version}, Mosquitto ${mosquitto}, paho-mqtt ${paho} (/usr/bin/python3), mqtt.js ${mqttJs}`,
    `- commit: ${gitCommit()}`,
  ];
}

function gitCommit(): string {
  try {
    const commit = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: ROOT, encoding: "utf8" }).trim();
    const dirty = execFileSync("git", ["status", "--porcelain", "--", "firmware", "hal", "sim", "tools"], { cwd: ROOT, encoding: "utf8" }).trim();
    return dirty ? `${commit} (with uncommitted changes in firmware/hal/sim/tools)` : commit;
  } catch {
    return "?";
  }
}

function footprintSection(boards: BoardFootprint[]): string {
  const mqttJs = mqttJsSize();
  const out: string[] = ["## 1. Footprint per example board", ""];
  out.push(
    table(
      ["board", "kind", "minified B", "gzip -9 B", "est. vars, run from flash", "est. vars, sent to RAM", "est. peak while a RAM upload parses", "budget (vars)"],
      boards.map((b) => [
        `${b.node} (${b.board})`,
        b.kind,
        n(b.bytes),
        n(b.gzip),
        `${n(b.fromFlash)} (${pct(b.fromFlash, b.budget)})`,
        `${n(b.fromRam)} (${pct(b.fromRam, b.budget)})`,
        `${n(b.peakRamUpload)} (${pct(b.peakRamUpload, b.budget)})`,
        n(b.budget),
      ]),
      [false, false, true, true, true, true, true, true],
    ),
  );
  out.push("", "Ratio = share of the board's budget of JS variables (the baseline for this figure). LINUX's budget is nominal: Espruino on Linux grows its variables on demand.", "");
  for (const b of boards) {
    const sum = b.groups.reduce((s, g) => ({ bytes: s.bytes + g.bytes, gzip: s.gzip + g.gzip, fromFlash: s.fromFlash + g.fromFlash, fromRam: s.fromRam + g.fromRam }), { bytes: 0, gzip: 0, fromFlash: 0, fromRam: 0 });
    out.push(`### ${b.node} (${b.kind}) by module group`, "");
    out.push(
      table(
        ["group", "minified B", "gzip -9 B (alone)", "est. vars from flash", "est. vars in RAM", "share of bytes"],
        [
          ...b.groups.map((g) => [g.group, n(g.bytes), n(g.gzip), n(g.fromFlash), n(g.fromRam), pct(g.bytes, sum.bytes)]),
          ["sum of groups (each minified alone)", n(sum.bytes), n(sum.gzip), n(sum.fromFlash), n(sum.fromRam), ""],
          ["whole bundle (interpreter baseline removed from vars)", n(b.bytes), n(b.gzip), n(b.fromFlash - baselineOf(b)), n(b.fromRam - baselineOf(b)), ""],
        ],
        [false, true, true, true, true, true],
      ),
    );
    out.push("");
  }
  if (mqttJs) {
    const client = boards[0]?.groups.find((g) => g.group.startsWith("MQTT client"));
    if (client) {
      out.push(
        `MQTT client against a general-purpose client: our firmware/mqtt/** is ${n(client.bytes)} B minified, ${n(client.gzip)} B gzip; ${mqttJs.file} is ${n(mqttJs.bytes)} B, ${n(mqttJs.gzip)} B gzip: ${ratio(client.bytes, mqttJs.bytes)} (bytes), ${ratio(client.gzip, mqttJs.gzip)} (gzip). mqtt.js's browser bundle carries WebSocket, MQTT 5 and a Buffer polyfill and could not run on Espruino at all; the ratio says what writing our own client saved, not a like-for-like feature comparison.`,
        "",
      );
    }
  }
  out.push(
    "How the estimate is made (tools/memory.ts, the same code `sensornode build` reports): it walks the minified bundle's syntax tree and counts what Espruino keeps after boot: about one variable per function object, parameter, scope binding, object property and array element, plus string literals longer than 4 characters at ~10 characters per variable (12 on ESP32); for code sent into RAM it adds the source text every outermost function keeps (~10 characters per variable), and for the peak the whole source being parsed. That count is scaled by one calibration factor (0.76) fitted to a single measurement, plus a fixed interpreter baseline (90 variables on ESP8266, 150 on ESP32, 60 on LINUX).",
    "",
    "What it leaves out: every object created at run time (the MQTT client's buffers and queues, packets being built, the reading buffer's contents, sockets, timers, closures created per call, WiFi and SNTP state), garbage not yet collected, and the interpreter's own allocations beyond the fixed baseline; it assumes every function stays referenced. It is calibrated on one point only, so it is an estimate, not a measurement.",
    "",
    "Measured on the real interpreter (the calibration point; not re-run by this benchmark): on a 32-bit Espruino 2v29 build with 1,700 variables of 12 bytes (the ESP8266 configuration), the MQTT client bundle (11.5 KB minified, a client created and one connect attempt made) run from flash (.bootcde) used 713 variables after boot, about 50 of them the interpreter's own; sent into RAM it ran out of memory. The full door node (ESP8266) runs out of memory while starting, which the estimate above agrees with (more than 100 % of 1,600 even from flash).",
  );
  return out.join("\n");
}

/** The interpreter's baseline the estimate adds (tools/memory.ts BUDGETS). */
function baselineOf(b: BoardFootprint): number {
  return BUDGETS[b.kind].baseline;
}

function wireSection(result: { rows: WireRow[]; broker: string }): string {
  const out: string[] = ["## 2. Bytes on the wire per reading", ""];
  const rows = result.rows.map((r) => {
    const base = result.rows.find((b) => b.qos === r.qos && b.publisher.startsWith("paho"));
    return [
      r.publisher,
      r.qos,
      n(r.payload),
      n(r.perReading, 1),
      n(r.connect),
      n(r.pingsPerPeriod * 60, 0),
      n(r.hour),
      n(r.perReadingAmortised, 1),
      base ? ratio(r.hour, base.hour) : "-",
    ];
  });
  out.push(
    table(["publisher", "QoS", "payload B", "B per reading (PUBLISH + PUBACK)", "connect B (CONNECT + CONNACK)", "pings per hour (measured rate)", "one hour, B", "B per reading, amortised", "vs paho, same QoS"], rows, [false, true, true, true, true, true, true, true, true]),
  );
  out.push(
    "",
    `Method: a byte-counting TCP proxy (node:net) between each publisher and ${result.broker} on loopback; it cuts both directions into MQTT packets and counts TCP payload bytes per packet type (TCP/IP headers not counted: on WiFi they add ~40-60 B per segment, which favours fewer, larger packets). Topic \`sensornode/greenhouse/air/temperature\` and client id \`sensornode-greenhouse-3c71bf12\` for all; ours also sends the will (retained \`offline\` on the status topic) as the node does, paho sends none. Our JSON is firmware/forward.ts's format (device, sensor, measurement, value, unit, ISO timestamp, seq); paho's is the seeds' reading ({"device_id", "measurement", "value", "unit", "timestamp"}, json.dumps defaults, ISO timestamp). One hour = CONNECT + CONNACK + 360 readings (10 s interval) + keepalive pings at the rate each client really showed (keepalive 2 s, a reading every 1/3 s: the same ratio as 10 s to the default 60 s, scaled to 60 keepalive periods) + DISCONNECT. The firmware publishes readings at QoS 1; QoS 0 is the client's capability. Not included: the node's own extra traffic (retained status, Home Assistant discovery, diagnostics every 5 min, command subscription).`,
  );
  return out.join("\n");
}

function acceleratedSection(rows: AcceleratedRow[]): string {
  const hours = (ms: number) => `${n(ms / 3_600_000, ms % 3_600_000 === 0 ? 0 : 1)} h`;
  return [
    "## 3. Accelerated time",
    "",
    table(
      ["board", "nodes", "simulated", "wall s", "wall s for 24 h", "speed-up vs real time", "MQTT messages routed", "peak RSS MiB"],
      rows.map((r) => [
        r.board,
        r.nodes,
        hours(r.simulated),
        n(r.wallSeconds, 1),
        `${n(r.wallFor24h, 0)}${r.extrapolated ? " (extrapolated)" : ""}`,
        `${n(86_400 / r.wallFor24h, 0)}×`,
        n(r.messages),
        n(r.rssMiB, 0),
      ]),
      [false, true, true, true, true, true, true, true],
    ),
    "",
    "Method: `sensornode sim <board> [--nodes N] --virtual --duration <d>` through its library API (sim/cli.ts Simulation), the real bundle on virtual boards, the embedded aedes broker on loopback; wall time from start to the end of the simulated duration (build and shutdown excluded). Baseline: real time (86,400 s per day). The 100-node run simulates 1 h and its 24 h figure is extrapolated linearly, to keep the benchmark within a few minutes.",
  ].join("\n");
}

function recoverySection(result: RecoveryResult | undefined, why: string | undefined): string {
  const out = ["## 5. Recovery", ""];
  if (!result) {
    out.push(why ?? "Not measured.");
    return out.join("\n");
  }
  const ms = (v: number) => n(v, 0);
  out.push(
    table(
      ["clients", "count", "p50 ms", "p95 ms", "max ms", "back online", "readings lost", "vs mqtt.js p50 / p95"],
      result.rows.map((r) => [
        r.name,
        r.count,
        ms(r.p50),
        ms(r.p95),
        ms(r.max),
        `${r.recovered}/${r.count}`,
        r.lost === undefined ? "not measured" : n(r.lost),
        r.name.startsWith("mqtt.js") ? "baseline" : `${ratio(r.p50, result.rows[result.rows.length - 1]!.p50)} / ${ratio(r.p95, result.rows[result.rows.length - 1]!.p95)}`,
      ]),
      [false, true, true, true, true, true, true, true],
    ),
    "",
    result.method,
  );
  return out.join("\n");
}

export async function runBench(argv: string[], log: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): Promise<number> {
  const unknown = argv.filter((a) => !(FIGURES as readonly string[]).includes(a));
  if (unknown.length > 0) {
    log(`bench: unknown figure ${unknown.join(", ")}; choose from ${FIGURES.join(", ")} (or none for all).`);
    return 2;
  }
  const chosen: Figure[] = argv.length > 0 ? (argv as Figure[]) : [...FIGURES];
  const sections: string[] = [];
  const failures: string[] = [];
  const attempt = async (figure: Figure, run: () => Promise<string>) => {
    if (!chosen.includes(figure)) return;
    log(`bench: ${figure} ...`);
    const start = performance.now();
    try {
      sections.push(await run());
    } catch (error) {
      failures.push(figure);
      sections.push(`## ${figure}\n\nFailed on this run: ${(error as Error).message}`);
    }
    log(`bench: ${figure} took ${n((performance.now() - start) / 1000, 1)} s`);
  };

  await attempt("footprint", async () => {
    const boards: BoardFootprint[] = [];
    for (const file of boardFiles()) boards.push(await measureBoard(file));
    return footprintSection(boards);
  });
  await attempt("wire", async () => wireSection(await measureWire(log)));
  await attempt("accelerated", async () => {
    const rows: AcceleratedRow[] = [];
    const board = "boards/greenhouse.json";
    log("  accelerated: 1 node, 24 h ...");
    rows.push(await measureAccelerated(board, undefined, 86_400_000));
    log("  accelerated: 100 nodes, 1 h ...");
    rows.push(await measureAccelerated(board, 100, 3_600_000));
    return acceleratedSection(rows);
  });
  await attempt("fleet", async () => fleetSection(await measureFleet(log)));
  await attempt("recovery", async () => {
    const outcome = await measureRecovery(log);
    return recoverySection(outcome.result, outcome.why);
  });

  const commands = [
    "## Commands",
    "",
    "```sh",
    "npm run bench                          # = node bin/sensornode.js bench: every figure, writes bench/RESULTS.md",
    "npx sensornode bench footprint wire    # only some figures (footprint, wire, accelerated, fleet, recovery)",
    "npx sensornode build boards/*.json     # the build's own size and memory report (figure 1's whole-bundle numbers)",
    "npx sensornode sim boards/greenhouse.json --virtual --duration 24h     # figure 3 by hand",
    "npx sensornode sim boards/greenhouse.json --nodes 100 --virtual --duration 1h",
    "npx tsx bench/driver-sizes.ts; npx tsx bench/mqtt-size.ts              # older size scripts",
    "```",
  ].join("\n");
  const document = [
    "# Benchmarks",
    "",
    "Written by `npm run bench` (bench/run.ts). Numbers from one run on one machine; benchmarks report, they never assert. Each figure stands next to its baseline from the same run, as a ratio.",
    "",
    ...machine(),
    `- figures run: ${chosen.join(", ")}${failures.length > 0 ? `; failed: ${failures.join(", ")}` : ""}`,
    "",
    ...sections.flatMap((s) => [s, ""]),
    commands,
    "",
  ].join("\n");
  fs.writeFileSync(path.join(ROOT, "bench", "RESULTS.md"), document);
  process.stdout.write(document);
  log("bench: wrote bench/RESULTS.md");
  return failures.length > 0 ? 1 : 0;
}
