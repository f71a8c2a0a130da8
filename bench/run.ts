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
import { measureRecovery, type RecoveryResult, type RecoveryRow } from "./recovery";
import { fleetSection, measureFleet } from "./fleet";

export const FIGURES = ["footprint", "wire", "fleet", "accelerated", "recovery"] as const;
export type Figure = (typeof FIGURES)[number];
/** The figures as issue 8 numbers them: the `## N.` headings of RESULTS.md. */
const FIGURE_NUMBER: Record<Figure, number> = { footprint: 1, wire: 2, fleet: 3, accelerated: 4, recovery: 5 };

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
    "What limits it: bytes and gzip bytes are exact, but the variable counts are a syntax-tree estimate fitted to one measurement of one bundle on the real interpreter, and leave out everything the node allocates at run time, so a board shown just under its budget may still run out of memory.",
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
    "",
    "What limits it: the bytes are counted exactly on loopback, but the hour is extrapolated from a short run (keepalive scaled down with the reading interval), and TCP/IP and WiFi framing, which on a real network adds tens of bytes per segment, is not counted.",
  );
  return out.join("\n");
}

function acceleratedSection(rows: AcceleratedRow[]): string {
  const hours = (ms: number) => `${n(ms / 3_600_000, ms % 3_600_000 === 0 ? 0 : 1)} h`;
  const perNodeHour = (r: AcceleratedRow) => (r.wallSeconds * 1000) / r.nodes / (r.simulated / 3_600_000);
  const single = rows.find((r) => r.nodes === 1);
  return [
    "## 4. Accelerated time",
    "",
    table(
      ["board", "nodes", "simulated", "wall s", "wall s for 24 h", "speed-up vs real time", "wall ms per node-hour", "per node-hour vs 1 node", "CPU s", "MQTT messages routed", "peak RSS MiB"],
      rows.map((r) => [
        r.board,
        r.nodes,
        hours(r.simulated),
        n(r.wallSeconds, 1),
        `${n(r.wallFor24h, 0)}${r.extrapolated ? " (extrapolated)" : ""}`,
        `${n(86_400 / r.wallFor24h, 0)}×`,
        n(perNodeHour(r), 1),
        single ? ratio(perNodeHour(r), perNodeHour(single)) : "-",
        n(r.cpuSeconds, 1),
        n(r.messages),
        n(r.rssMiB, 0),
      ]),
      [false, true, true, true, true, true, true, true, true, true, true],
    ),
    "",
    "Method: `sensornode sim <board> [--nodes N] --virtual --duration <d>` through its library API (sim/cli.ts Simulation), the real bundle on virtual boards, the embedded aedes broker on loopback; wall time from start to the end of the simulated duration (build and shutdown excluded); CPU s = this process's user + system time over the same stretch. The 100-node run simulates 1 h and its 24 h figure is extrapolated linearly, to keep the benchmark within a few minutes. Baselines: real time (86,400 s per day) for the speed-up, and the 1-node run of this same benchmark for the cost per node-hour.",
    "",
    "What limits it: mostly waiting, not computing (compare CPU s with wall s): in virtual time the clock jumps to the next timer only once every byte on the wire has arrived at the other end and the embedded broker has had two event-loop turns to answer (sim/cli.ts, so that a packet in flight is not overtaken), which costs a round trip through the socket thread and the kernel per step with network traffic; 100 nodes share those waits, hence their lower cost per node-hour, until one Node thread's CPU becomes the limit.",
  ].join("\n");
}

function recoverySection(result: RecoveryResult | undefined, why: string | undefined): string {
  const out = ["## 5. Recovery after a broker restart", ""];
  if (!result) {
    out.push(why ?? "Not measured.");
    return out.join("\n");
  }
  const ms = (v: number) => n(v, 0);
  const down = (outage: number) => (outage === 0 ? "restarted at once" : `down ${n(outage / 1000)} s`);
  const baselineOf = (r: RecoveryRow) => result.rows.find((b) => b.outage === r.outage && b.name.endsWith("(baseline)"));
  out.push(
    table(
      ["clients", "broker", "back online", "p50 ms", "p95 ms", "max ms", "vs mqtt.js QoS 1 p50 / p95", "readings received", "of them taken after the crash", "lost", "duplicated", "before the subscriber"],
      result.rows.map((r) => {
        const base = baselineOf(r);
        return [
          r.name,
          down(r.outage),
          `${r.recovered}/${r.count}`,
          ms(r.p50),
          ms(r.p95),
          ms(r.max),
          base === r || !base ? "baseline" : `${ratio(r.p50, base.p50)} / ${ratio(r.p95, base.p95)}`,
          n(r.readings),
          n(r.afterCrash),
          n(r.lost),
          n(r.duplicated),
          r.early,
        ];
      }),
      [false, false, true, true, true, true, true, true, true, true, true, true],
    ),
    "",
    `From the kill to time zero (the gate open again): ${result.downtime.map((d) => `${ms(d)} ms`).join(", ")}; of that, from the restarted broker accepting connections to the gate opening (the subscriber subscribing again): ${result.rows.map((r) => `${ms(r.gateDelay)} ms`).join(", ")} (in the order of the rows). ${result.method}`,
    "",
    mqttJsLosses(result.rows),
    "",
    "What limits it: our nodes' first retry waits a random 0-1 s (full-jitter backoff, firmware/mqtt/backoff.ts) and each failed retry doubles that window (up to 60 s), so after a longer outage they come back later and more spread out than mqtt.js's fixed 1 s retry, which is the point (100 nodes do not hit a rebooting broker at the same instant) but costs recovery time; on this machine the simulated fleet also shares one Node process and two cores with the subscriber.",
  );
  return out.join("\n");
}

/** Says why the fleets lost what they lost (or nothing), from the rows themselves. */
function mqttJsLosses(rows: RecoveryRow[]): string {
  const lost = rows.filter((r) => r.lost > 0);
  const lines: string[] = [];
  if (!rows.some((r) => r.name.startsWith("mqtt.js") && r.lost > 0)) {
    lines.push(
      "mqtt.js lost nothing here, at QoS 0 either: a broker killed on the same host closes its TCP connections at once, so each client noticed the drop before its next reading; from then on mqtt.js keeps what is published while offline in memory (QoS 0 in its offline queue because queueQoSZero defaults to true, QoS 1 in its outgoing store) and sends it after the reconnect. QoS 0 readings would be lost where this setup cannot show it: written into a connection that is dead but not yet noticed (a broker host that loses power or network sends no FIN, and mqtt.js notices only when a keepalive ping goes unanswered for 1.5 keepalives, 90 s by default), or held in the broker when it dies. Our readings (QoS 1) and mqtt.js's at QoS 1 are kept until the broker's PUBACK and sent again after a reconnect, so neither case loses them.",
    );
  }
  for (const r of lost) {
    lines.push(
      `${r.name}, broker ${r.outage === 0 ? "restarted at once" : `down ${r.outage / 1000} s`}: ${r.lost} readings lost (client: missing seq, counted from its last reading delivered before the crash: ${r.lostDetail.join("; ")}). ${
        r.name.includes("QoS 0")
          ? "At QoS 0 nothing acknowledges a PUBLISH: what was written into the connection between the broker's death and the client noticing it, or what the broker held when killed, is gone, and there is nothing to resend."
          : "At QoS 1 a PUBLISH is kept until its PUBACK and resent after reconnecting; a loss means the broker acknowledged it and died before forwarding it (no persistence), or the client dropped it: see where the missing seq falls."
      }`,
    );
  }
  return lines.join("\n\n");
}

/**
 * The sections of an earlier RESULTS.md for the figures this run leaves out, each marked
 * with the run it came from, so `sensornode bench fleet` refreshes figure 3 without erasing
 * the others (a partial run that rewrote the whole file is how figure 3 once went missing).
 */
export function keptSections(previous: string, skipped: Figure[]): Map<Figure, string> {
  const kept = new Map<Figure, string>();
  const date = /^- date: (.+)$/m.exec(previous)?.[1] ?? "an earlier run";
  const commit = /^- commit: (.+)$/m.exec(previous)?.[1] ?? "?";
  for (const part of previous.split(/^(?=## )/m)) {
    const number = /^## (\d)\. /.exec(part)?.[1];
    const figure = number ? FIGURES.find((f) => FIGURE_NUMBER[f] === Number(number)) : undefined;
    if (!figure || !skipped.includes(figure)) continue;
    const body = part.trimEnd();
    const marked = /^_Not re-run: from the run of /m.test(body)
      ? body
      : body.replace(/\n/, `\n\n_Not re-run: from the run of ${date}, commit ${commit} (\`npx sensornode bench ${figure}\` refreshes it)._\n`);
    kept.set(figure, marked);
  }
  return kept;
}

export async function runBench(argv: string[], log: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): Promise<number> {
  const unknown = argv.filter((a) => !(FIGURES as readonly string[]).includes(a));
  if (unknown.length > 0) {
    log(`bench: unknown figure ${unknown.join(", ")}; choose from ${FIGURES.join(", ")} (or none for all).`);
    return 2;
  }
  const chosen: Figure[] = argv.length > 0 ? (argv as Figure[]) : [...FIGURES];
  const sections = new Map<Figure, string>();
  const failures: string[] = [];
  const took: string[] = [];
  const began = performance.now();
  const attempt = async (figure: Figure, run: () => Promise<string>) => {
    if (!chosen.includes(figure)) return;
    log(`bench: ${figure} ...`);
    const start = performance.now();
    try {
      sections.set(figure, await run());
    } catch (error) {
      failures.push(figure);
      sections.set(figure, `## ${FIGURE_NUMBER[figure]}. ${figure}\n\nFailed on this run: ${(error as Error).message}`);
    }
    const seconds = n((performance.now() - start) / 1000, 0);
    took.push(`${figure} ${seconds} s`);
    log(`bench: ${figure} took ${seconds} s`);
  };

  await attempt("footprint", async () => {
    const boards: BoardFootprint[] = [];
    for (const file of boardFiles()) boards.push(await measureBoard(file));
    return footprintSection(boards);
  });
  await attempt("wire", async () => wireSection(await measureWire(log)));
  await attempt("fleet", async () => fleetSection(await measureFleet(log)));
  await attempt("accelerated", async () => {
    const rows: AcceleratedRow[] = [];
    const board = "boards/greenhouse.json";
    log("  accelerated: 1 node, 24 h ...");
    rows.push(await measureAccelerated(board, undefined, 86_400_000));
    log("  accelerated: 100 nodes, 1 h ...");
    rows.push(await measureAccelerated(board, 100, 3_600_000));
    return acceleratedSection(rows);
  });
  await attempt("recovery", async () => {
    const outcome = await measureRecovery(log);
    return recoverySection(outcome.result, outcome.why);
  });

  const commands = [
    "## Commands",
    "",
    "```sh",
    "npm run bench                          # = node bin/sensornode.js bench: every figure, writes bench/RESULTS.md",
    "npx sensornode bench footprint wire    # only some figures (footprint, wire, fleet, accelerated, recovery)",
    "npx sensornode build boards/*.json     # the build's own size and memory report (figure 1's whole-bundle numbers)",
    "npx sensornode bench recovery          # figure 5 only (about 2 min; needs mosquitto)",
    "npx sensornode sim boards/greenhouse.json --virtual --duration 24h     # figure 4 by hand",
    "npx sensornode sim boards/greenhouse.json --nodes 100 --virtual --duration 1h",
    "npx tsx bench/driver-sizes.ts; npx tsx bench/mqtt-size.ts              # older size scripts",
    "```",
  ].join("\n");
  const file = path.join(ROOT, "bench", "RESULTS.md");
  const skipped = FIGURES.filter((f) => !chosen.includes(f));
  const kept = skipped.length > 0 && fs.existsSync(file) ? keptSections(fs.readFileSync(file, "utf8"), skipped) : new Map<Figure, string>();
  const ordered = FIGURES.map((f) => sections.get(f) ?? kept.get(f)).filter((s): s is string => s !== undefined);
  const document = [
    "# Benchmarks",
    "",
    "Written by `npm run bench` (bench/run.ts). Numbers from one run on one machine; benchmarks report, they never assert. Each figure stands next to its baseline from the same run, as a ratio.",
    "",
    ...machine(),
    `- figures run: ${chosen.join(", ")}${failures.length > 0 ? `; failed: ${failures.join(", ")}` : ""}${kept.size > 0 ? `; kept from an earlier run: ${[...kept.keys()].join(", ")}` : ""}`,
    `- run time: ${n((performance.now() - began) / 1000, 0)} s (${took.join(", ")})`,
    "",
    ...ordered.flatMap((s) => [s, ""]),
    commands,
    "",
  ].join("\n");
  fs.writeFileSync(file, document);
  process.stdout.write(document);
  log("bench: wrote bench/RESULTS.md");
  return failures.length > 0 ? 1 : 0;
}
