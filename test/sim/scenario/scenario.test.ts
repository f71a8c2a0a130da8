// Scenario files and --fault flags: every mistake a sentence with its place; the seed decides
// range times and "random" nodes; `sim --scenario` as an acceptance test (exit 1 and a sentence
// for an unmet expectation), run as a user runs it.
import { spawnSync } from "node:child_process";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { checkScenario, topicMatches } from "../../../sim/faults";
import { buildFleet, type NodeBundle } from "../../../sim/fleet-build";
import { formatTime, parseFaultFlag, parseScenario, ScenarioError } from "../../../sim/scenario";
import { ROOT } from "../../../tools/build";
import { GREENHOUSE, runScenario } from "./helpers";

const BIN = path.join(ROOT, "bin", "sensornode.js");
const FIXTURES = path.join(import.meta.dirname, "fixtures");

function mistakes(scenario: unknown): string {
  try {
    parseScenario(JSON.stringify(scenario), "s.json");
  } catch (error) {
    expect(error).toBeInstanceOf(ScenarioError);
    return (error as Error).message;
  }
  throw new Error("expected the scenario to be refused");
}

describe("scenario files", () => {
  it("reads faults with defaults and expectations, times in the usual units", () => {
    const scenario = parseScenario(
      JSON.stringify({
        duration: "5m",
        faults: [
          { at: "30s", fault: "wifi-drop" },
          { at: ["1m", "2m"], fault: "broker-restart" },
          { at: 90_000, fault: "i2c-nack", node: "greenhouse", sensor: "air", duration: "20s" },
          { at: "4m", fault: "power-loss", node: "random" },
        ],
        expect: [{ within: ["0s", "1m30s"], topic: "sensornode/{node}/status", payload: "online" }],
      }),
    );
    expect(scenario.duration).toBe(300_000);
    expect(scenario.faults.map(({ at, fault, node, sensor, duration }) => ({ at, fault, node, sensor, duration }))).toEqual([
      { at: 30_000, fault: "wifi-drop", node: undefined, sensor: undefined, duration: 30_000 },
      { at: [60_000, 120_000], fault: "broker-restart", node: undefined, sensor: undefined, duration: undefined },
      { at: 90_000, fault: "i2c-nack", node: "greenhouse", sensor: "air", duration: 20_000 },
      { at: 240_000, fault: "power-loss", node: "random", sensor: undefined, duration: undefined },
    ]);
    expect(scenario.expect[0]).toMatchObject({ within: [0, 90_000], topic: "sensornode/{node}/status", payload: "online", source: "expect[0]" });
  });

  it.each([
    [{ faults: [{ at: "30s", fault: "wifi-dorp" }] }, 'faults[0].fault: "wifi-dorp" is not a fault; choose one of wifi-drop, broker-restart'],
    [{ faults: [{ fault: "power-loss" }] }, "faults[0].at: missing"],
    [{ faults: [{ at: "soon", fault: "power-loss" }] }, 'faults[0].at: "soon" is not a time'],
    [{ faults: [{ at: "1m30", fault: "power-loss" }] }, 'faults[0].at: "1m30" is not a time'],
    [{ faults: [{ at: ["2m", "1m"], fault: "power-loss" }] }, "faults[0].at: the range ends before it starts"],
    [{ faults: [{ at: "1m", fault: "power-loss", duration: "10s" }] }, "faults[0].duration: power-loss is instantaneous"],
    [{ faults: [{ at: "1m", fault: "broker-restart", node: "greenhouse" }] }, 'faults[0].node: broker-restart affects every node; leave "node" out'],
    [{ faults: [{ at: "1m", fault: "i2c-nack" }] }, "faults[0].sensor: i2c-nack needs the sensor's name"],
    [{ faults: [{ at: "1m", fault: "socket-drop", sensor: "air" }] }, "faults[0].sensor: only i2c-nack, device-gone, crc take a sensor"],
    [{ faults: [{ at: "1m", fault: "socket-drop", when: "now" }] }, "faults[0].when: not a scenario field"],
    [{ expect: [{ topic: "a/b" }] }, 'expect[0].within: expected a window of two times, e.g. ["0s", "2m"]'],
    [{ expect: [{ within: ["2m", "1m"], topic: "a/b" }] }, "expect[0].within: the window ends before it starts"],
    [{ expect: [{ within: ["0s", "1m"], topic: "a/b", payload: 21.5 }] }, "expect[0].payload: expected the payload as a string"],
    [{ expect: [{ within: ["0s", "1m"] }] }, "expect[0].topic: expected a topic"],
    [{ faults: [{ at: "1m", fault: "latency" }] }, 'faults[0].delay: latency needs the extra one-way delay, e.g. "300ms"'],
    [{ faults: [{ at: "1m", fault: "loss", probability: 1 }] }, "faults[0].probability: loss needs the chance a segment is lost, a number from 0 up to (not including) 1"],
    [{ faults: [{ at: "1m", fault: "loss", probability: 0.1, delay: "1s" }] }, 'faults[0].delay: only latency takes "delay"'],
    [{ faults: [{ at: "1m", fault: "clock-jump" }] }, 'faults[0].by: clock-jump needs how far the clock jumps, e.g. "-1h" or "+10m"'],
    [{ faults: [{ at: "1m", fault: "clock-jump", by: "0s" }] }, "faults[0].by: a jump of 0 changes nothing"],
    [{ faults: [{ at: "1m", fault: "i2c-stuck" }] }, "faults[0].bus: i2c-stuck needs the bus's name from the board file"],
    [{ faults: [{ at: "1m", fault: "crc", bus: "i2c0", sensor: "air" }] }, "faults[0].bus: only i2c-stuck takes a bus"],
    [{ faults: [{ at: "1m", fault: "half-open", duration: "1m" }] }, "faults[0].duration: half-open is instantaneous (the node's open connections go silent for good"],
    [{ fault: [] }, "fault: not a scenario field"],
    [{ faults: {} }, "faults: expected a list"],
  ])("%j is refused: %s", (scenario, sentence) => {
    expect(mistakes(scenario)).toContain(sentence);
  });

  it("counts every mistake at once, and refuses what is not JSON", () => {
    expect(mistakes({ faults: [{ at: "x", fault: "power-loss" }, { fault: "nope" }] })).toMatch(/^s\.json has 2 mistakes:\n {2}faults\[0\]\.at.*\n {2}faults\[1\]\.fault/);
    expect(() => parseScenario("{", "s.json")).toThrow(/^s\.json is not JSON/);
  });
});

describe("--fault flags", () => {
  it("kind@time[+duration][:node[/sensor]]", () => {
    expect(parseFaultFlag("wifi-drop@30s+60s")).toMatchObject({ fault: "wifi-drop", at: 30_000, duration: 60_000, source: "--fault wifi-drop@30s+60s" });
    expect(parseFaultFlag("broker-restart@1m")).toMatchObject({ fault: "broker-restart", at: 60_000 });
    expect(parseFaultFlag("i2c-nack@90s+20s:greenhouse/air")).toMatchObject({ fault: "i2c-nack", at: 90_000, duration: 20_000, node: "greenhouse", sensor: "air" });
    expect(parseFaultFlag("power-loss@2m:random")).toMatchObject({ fault: "power-loss", node: "random" });
    expect(() => parseFaultFlag("wifi-drop")).toThrow(/write kind\[=setting\]@time\[\+duration\]\[:node\[\/sensor\]\]/);
    expect(() => parseFaultFlag("power-loss@1m+5s")).toThrow(/--fault power-loss@1m\+5s \(duration\): power-loss is instantaneous/);
  });

  it("settings after '=', and a bus for i2c-stuck", () => {
    expect(parseFaultFlag("latency=300ms@1m+2m:greenhouse")).toMatchObject({ fault: "latency", delay: 300, at: 60_000, duration: 120_000, node: "greenhouse" });
    expect(parseFaultFlag("loss=0.25@1m")).toMatchObject({ fault: "loss", probability: 0.25, duration: 60_000 });
    expect(parseFaultFlag("clock-jump=-1h@2m")).toMatchObject({ fault: "clock-jump", by: -3_600_000, at: 120_000 });
    expect(parseFaultFlag("clock-jump=+10m@2m")).toMatchObject({ by: 600_000 });
    expect(parseFaultFlag("i2c-stuck@1m+30s:greenhouse/i2c0")).toMatchObject({ fault: "i2c-stuck", bus: "i2c0", node: "greenhouse", duration: 30_000 });
    expect(parseFaultFlag("crc@1m:greenhouse/soil-temp")).toMatchObject({ fault: "crc", sensor: "soil-temp" });
    expect(() => parseFaultFlag("wifi-drop=3@1m")).toThrow(/wifi-drop takes no setting after "="/);
  });
});

describe("helpers", () => {
  it("MQTT topic filters", () => {
    expect(topicMatches("a/+/c", "a/b/c")).toBe(true);
    expect(topicMatches("a/#", "a/b/c")).toBe(true);
    expect(topicMatches("a/+", "a/b/c")).toBe(false);
    expect(topicMatches("a/b", "a/b/c")).toBe(false);
    expect(topicMatches("a/b/c", "a/b")).toBe(false);
  });

  it("times in sentences", () => {
    expect([0, 500, 2_500, 60_000, 90_000, 3_600_000, 5_400_000].map(formatTime)).toEqual(["0s", "500ms", "2.5s", "1m", "1m30s", "1h", "1h30m"]);
  });
});

describe("seeded faults", () => {
  let clones: NodeBundle[];
  beforeAll(async () => {
    clones = await buildFleet([GREENHOUSE], { nodes: 3 });
  });

  async function picks(seed: number): Promise<string> {
    const outcome = await runScenario(clones, { faults: [{ source: "t", at: [5_000, 25_000], fault: "power-loss", node: "random" }] }, { duration: 30_000, seed });
    return outcome.events
      .filter((e) => e.what === "fault")
      .map((e) => `${e.time} ${String(e.node)}`)
      .join(";");
  }

  it("faults that do not fit the boards: a CRC on a part without one, a bus that is not there", () => {
    const scenario = { faults: [parseFaultFlag("crc@1m:greenhouse-001/air"), parseFaultFlag("i2c-stuck@1m:greenhouse-002/i2c9")], expect: [] };
    expect(() => checkScenario(scenario, clones, { embeddedBroker: true })).toThrow(
      /--fault crc@1m:greenhouse-001\/air \(sensor\): "air" on greenhouse-001 is a bme280, which sends no CRC; crc needs one of sht3x, aht20, ds18b20\n {2}--fault i2c-stuck@1m:greenhouse-002\/i2c9 \(bus\): node greenhouse-002 has no bus "i2c9" \(its buses: i2c0, soil\)/,
    );
  });

  it("a range time and a random node come from the seed: same seed, same pick", async () => {
    const first = await picks(11);
    expect(first).toMatch(/^\d+ greenhouse-00[123]$/);
    expect(await picks(11)).toBe(first);
    const others = new Set([first, await picks(12), await picks(13), await picks(14)]);
    expect(others.size).toBeGreaterThan(1);
  });
});

describe("sensornode sim --scenario (spawned)", () => {
  function sim(args: string[]) {
    return spawnSync(process.execPath, [BIN, "sim", "boards/greenhouse.json", "--virtual", ...args], { cwd: ROOT, encoding: "utf8", timeout: 120_000 });
  }

  it("every expectation met: exit 0, one sentence each", () => {
    const run = sim(["--scenario", path.join(FIXTURES, "restart-met.json")]);
    expect(run.stderr).toContain("30s fault broker-restart begins");
    expect(run.stderr).toMatch(/expect\[1\] for greenhouse met: sensornode\/greenhouse\/status "online" at 3\d(\.\d)?s\./);
    expect(run.stderr).toContain("expect[3] for greenhouse met: no sensornode/greenhouse/status = \"offline\" between 35s and 1m10s.");
    expect(run.stderr).toContain("scenario: all 4 expectations met.");
    expect(run.status).toBe(0);
  });

  it("an expectation not met: exit 1 and a sentence saying which and why", () => {
    const run = sim(["--scenario", path.join(FIXTURES, "outage-unmet.json"), "--json"]);
    expect(run.stderr).toMatch(
      /expect\[1\] not met: expected sensornode\/greenhouse\/air\/temperature between 45s and 1m25s; nothing on it then; the last before was "[-\d.]+" at [\d.]+s\./,
    );
    expect(run.stderr).toContain("scenario: 1 of 2 expectations not met.");
    expect(run.status).toBe(1);
    // --json: the faults and the verdicts are events too; the run took the scenario's 2 minutes
    const events = run.stdout.trim().split("\n").map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(events.filter((e) => e.what === "fault").map((e) => `${String(e.time)} ${String(e.phase)}`)).toEqual(["30000 begin", "90000 end"]);
    expect(events.filter((e) => e.what === "expect").map((e) => e.met)).toEqual([true, false]);
    expect(events.find((e) => e.what === "stopping")?.time).toBe(120_000);
  });

  it("start --scenario: the same faults and verdicts on `npm start`'s fleet (real time x 10 here)", () => {
    const run = spawnSync(process.execPath, [BIN, "start", "--speed", "10", "--scenario", path.join(FIXTURES, "start-check.json")], { cwd: ROOT, encoding: "utf8", timeout: 120_000 });
    expect(run.stdout).toMatch(/5(\.\d)?s fault socket-drop begins on greenhouse/);
    expect(run.stderr).toMatch(/expect\[0\] met: sensornode\/greenhouse\/status "online" at /);
    expect(run.stderr).toContain('expect[1] not met: expected sensornode/greenhouse/status = "nonsense" between 0s and 20s');
    expect(run.stderr).toContain("scenario: 1 of 2 expectations not met.");
    expect(run.status).toBe(1);
  });

  it("a scenario that does not fit the boards stops before the run, with a sentence", () => {
    const run = sim(["--fault", "device-gone@10s:greenhouse/roof"]);
    expect(run.stderr).toContain('--fault device-gone@10s:greenhouse/roof (sensor): node greenhouse has no sensor "roof" (its sensors: air, light, soil-temp, moisture)');
    expect(run.status).toBe(1);
  });
});
