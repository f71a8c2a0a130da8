// Fleet behaviour of the Simulation (sim/cli.ts) with the stand-in MQTT firmware: nodes
// powered on at --connect-rate (seeded moments in their slots), and overrun reporting when
// the machine cannot keep the schedule, forced with a busy loop (an event, never a timing
// threshold asserted on a normal run).
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runClock, SimClock, type OverrunEvent } from "../../../sim/board/scheduler";
import { Simulation, type SimEvent } from "../../../sim/cli";
import fs from "node:fs";
import os from "node:os";
import { buildFleet, sameButNames, type NodeBundle } from "../../../sim/fleet-build";
import { ROOT } from "../../../tools/build";

const fixtures = path.join(import.meta.dirname, "fixtures");
const entry = path.join(fixtures, "mqtt-node.ts");
const ALPHA = path.join(fixtures, "alpha.json");

function busy(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // a node that hogs the CPU
  }
}

async function bootTimes(bundles: NodeBundle[], options: { connectRate?: number; seed?: number }): Promise<Map<string, number>> {
  const simulation = new Simulation(bundles, { virtual: true, duration: 5000, seed: options.seed ?? 1, connectRate: options.connectRate });
  const boots = new Map<string, number>();
  simulation.onEvent((e) => {
    if (e.type === "boot" && e.node) boots.set(e.node, e.time);
  });
  await simulation.start();
  await simulation.stop(500);
  return boots;
}

describe("clones of the real firmware", () => {
  it("are made from one build (not one esbuild run each), and each equals a real build of that clone but for minified names", async () => {
    const clones = await buildFleet([path.join(ROOT, "boards", "greenhouse.json")], { nodes: 3 });
    const neutral = (bundle: NodeBundle) => bundle.code.split(bundle.id).join("ID").split(bundle.id.split("-").join("_")).join("ID_").split(bundle.configHash).join("HASH");
    // substituted from one template: byte for byte the same once id and hash are neutralised
    // (separate esbuild runs would pick other short names: the minifier counts characters)
    expect(neutral(clones[2]!)).toBe(neutral(clones[1]!));
    expect(clones[1]!.code).not.toContain("qqq");
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), "sensornode-clone-test-"));
    try {
      const board = JSON.parse(fs.readFileSync(path.join(ROOT, "boards", "greenhouse.json"), "utf8")) as Record<string, unknown>;
      delete board.$schema;
      fs.writeFileSync(path.join(folder, "g.json"), JSON.stringify({ ...board, node: "greenhouse-003" }));
      const [real] = await buildFleet([path.join(folder, "g.json")]);
      expect(real!.configHash).toBe(clones[2]!.configHash);
      expect(sameButNames(clones[2]!.code, real!.code)).toBe(true);
      // and the comparison is not blind: another node id is another program
      expect(sameButNames(clones[1]!.code, real!.code)).toBe(false);
    } finally {
      fs.rmSync(folder, { recursive: true, force: true });
    }
  });
});

describe("--connect-rate", () => {
  it("powers node i on within its slot [i, i+1) / rate s, at seeded moments: same seed, same moments; another seed, others", async () => {
    const bundles = await buildFleet([ALPHA], { entry, nodes: 20 });
    const boots = await bootTimes(bundles, { connectRate: 10, seed: 7 });
    expect(boots.size).toBe(20);
    bundles.forEach((bundle, index) => {
      const time = boots.get(bundle.id)!;
      expect(time).toBeGreaterThanOrEqual(index * 100);
      expect(time).toBeLessThan((index + 1) * 100);
    });
    // not all on the slot's start: the jitter is real
    expect(new Set(bundles.map((b, i) => boots.get(b.id)! - i * 100)).size).toBeGreaterThan(5);
    expect(await bootTimes(bundles, { connectRate: 10, seed: 7 })).toEqual(boots);
    expect(await bootTimes(bundles, { connectRate: 10, seed: 8 })).not.toEqual(boots);
  });

  it("0 (and the default for a small fleet) powers every node on at once", async () => {
    const bundles = await buildFleet([ALPHA], { entry, nodes: 5 });
    for (const rate of [0, undefined]) {
      const boots = await bootTimes(bundles, { connectRate: rate });
      expect([...boots.values()]).toEqual([0, 0, 0, 0, 0]);
    }
  });
});

describe("--connect-rate default", () => {
  it("in real time a fleet over 50 nodes is powered on at 50 per second; --virtual starts all at once", async () => {
    const bundles = await buildFleet([ALPHA], { entry, nodes: 60 });
    const simulation = new Simulation(bundles, { speed: 1, duration: 1300, seed: 1 });
    const events: SimEvent[] = [];
    simulation.onEvent((e) => events.push(e));
    await simulation.start();
    await simulation.stop(1000);
    expect(events.find((e) => e.what === "started")).toMatchObject({ nodes: 60, connectRate: 50 });
    const boots = events.filter((e) => e.type === "boot").map((e) => e.time);
    // 60 nodes at 50/s: the last slot starts at 1.18 s
    expect(boots.length).toBe(60);
    expect(Math.max(...boots)).toBeGreaterThanOrEqual(1180);
    expect((await bootTimes(bundles, {})).size).toBe(60);
    expect(new Set((await bootTimes(bundles, {})).values())).toEqual(new Set([0]));
  });
});

describe("overrun", () => {
  it("runClock reports an episode when a timer hogs the CPU: begin with the lag, end with the worst lag and how long it lasted", async () => {
    const clock = new SimClock();
    const events: OverrunEvent[] = [];
    // a timer every 20 ms; the one at 100 ms blocks for 400 ms of real time
    const tick = () => clock.setTimeout(tick, 20);
    tick();
    clock.setTimeout(() => busy(400), 100);
    const run = runClock(clock, { speed: 1, until: 1000, overrun: { threshold: 150, report: (e) => events.push(e) } });
    await run.done;
    // (a loaded machine may add episodes of its own; the forced one is there whatever happens)
    expect(events[0]!.phase).toBe("begin");
    expect(events[0]!.lag).toBeGreaterThan(150);
    const forced = events.find((e) => e.phase === "end" && e.maxLag! >= 350)!;
    expect(forced.lagging).toBeGreaterThan(0);
    const summary = run.overrun();
    expect(summary.episodes).toBe(events.filter((e) => e.phase === "begin").length);
    expect(summary.maxLag).toBeGreaterThanOrEqual(forced.maxLag!);
    expect(summary.lagging).toBeGreaterThanOrEqual(forced.lagging!);
  });

  it("the Simulation turns it into overrun events and a summary on the stopped event (real time, nodes running)", async () => {
    const bundles = await buildFleet([ALPHA], { entry, nodes: 3 });
    const simulation = new Simulation(bundles, { speed: 1, duration: 2500, seed: 1, overrunThreshold: 200 });
    const events: SimEvent[] = [];
    simulation.onEvent((e) => {
      events.push(e);
      // once the nodes run, something blocks the event loop for 600 ms
      if (e.type === "sim" && e.what === "started") simulation.clock.setTimeout(() => busy(600), 500);
    });
    await simulation.start();
    await simulation.stop(1000);
    const overruns = events.filter((e) => e.what === "overrun");
    expect(overruns[0]).toMatchObject({ type: "sim", phase: "begin" });
    expect(Number(overruns[0]!.lag)).toBeGreaterThan(200);
    expect(overruns.some((e) => e.phase === "end" && Number(e.maxLag) >= 500)).toBe(true);
    const stopped = events.find((e) => e.what === "stopped")!;
    expect(stopped.overrun).toMatchObject({ episodes: overruns.filter((e) => e.phase === "begin").length, threshold: 200 });
    expect((stopped.overrun as { maxLag: number }).maxLag).toBeGreaterThanOrEqual(500);
  });

  it("--virtual has no overrun to report: time waits for the nodes", async () => {
    const bundles = await buildFleet([ALPHA], { entry });
    const simulation = new Simulation(bundles, { virtual: true, duration: 1000 });
    const events: SimEvent[] = [];
    simulation.onEvent((e) => events.push(e));
    await simulation.start();
    await simulation.stop(500);
    expect(simulation.overrun()).toBeUndefined();
    expect(events.find((e) => e.what === "stopped")!.overrun).toBeUndefined();
  });
});
