// A stuck I2C bus, CRC errors and clock jumps on the real firmware, in virtual time against
// the embedded broker: greenhouse (ESP32: BME280 + BH1750 on i2c0, DS18B20 on 1-Wire),
// lab-pi (LINUX: AHT20 + BMP280), and greenhouse again with JSON payloads, whose readings
// carry the node's timestamp.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { buildFleet, type NodeBundle } from "../../../sim/fleet-build";
import type { FaultSpec } from "../../../sim/scenario";
import { ROOT } from "../../../tools/build";
import { GREENHOUSE, greenhouse, runScenario, type Outcome } from "./helpers";

const TEMPERATURE = "sensornode/greenhouse/air/temperature";
const LIGHT = "sensornode/greenhouse/light/illuminance";
const SOIL = "sensornode/greenhouse/soil-temp/temperature";
/** The simulator's wall clock at virtual time 0 (VirtualBoard's default epoch), what SNTP says. */
const EPOCH = Date.UTC(2026, 0, 1);

function fault(spec: Omit<FaultSpec, "source">): FaultSpec {
  return { source: "test", ...spec };
}

const between = (list: [number, string][], from: number, to: number) => list.filter(([time]) => time > from && time <= to);
const logs = (outcome: Outcome, pattern: RegExp) => outcome.events.filter((e) => e.type === "log" && pattern.test(String(e.text)));

describe("i2c-stuck and crc", () => {
  let bundles: NodeBundle[];
  beforeAll(async () => {
    bundles = await greenhouse();
  });

  it("i2c-stuck: SDA held low, every sensor on that bus fails with a bus error; the 1-Wire sensor goes on; all come back", async () => {
    const outcome = await runScenario(bundles, { faults: [fault({ at: 60_000, fault: "i2c-stuck", node: "greenhouse", bus: "i2c0", duration: 60_000 })] }, { duration: 240_000, seed: 5 });
    expect(outcome.events.filter((e) => e.what === "fault").map((e) => `${e.time} ${String(e.phase)} ${String(e.bus)}`)).toEqual(["60000 begin i2c0", "120000 end i2c0"]);
    expect(between(outcome.messages(TEMPERATURE), 61_000, 120_000)).toEqual([]);
    expect(between(outcome.messages(LIGHT), 61_000, 120_000)).toEqual([]);
    expect(logs(outcome, /sensor air: .*bus/).length).toBeGreaterThanOrEqual(1);
    expect(logs(outcome, /sensor light: .*bus/).length).toBeGreaterThanOrEqual(1);
    expect(between(outcome.messages(SOIL), 60_000, 240_000).length).toBeGreaterThanOrEqual(2);
    expect(between(outcome.messages(TEMPERATURE), 120_000, 240_000).length).toBeGreaterThanOrEqual(10);
    expect(between(outcome.messages(LIGHT), 120_000, 240_000).length).toBeGreaterThanOrEqual(10);
    expect(outcome.events.some((e) => e.type === "uncaught")).toBe(false);
  });

  it("crc on the DS18B20: its readings stop (no bad value published), the node reports crc, readings come back", async () => {
    const outcome = await runScenario(bundles, { faults: [fault({ at: 65_000, fault: "crc", node: "greenhouse", sensor: "soil-temp", duration: 120_000 })] }, { duration: 300_000, seed: 5 });
    expect(between(outcome.messages(SOIL), 65_000, 185_000)).toEqual([]);
    expect(logs(outcome, /sensor soil-temp: .*crc/i).length).toBeGreaterThanOrEqual(1);
    const after = between(outcome.messages(SOIL), 185_000, 300_000);
    expect(after.length).toBeGreaterThanOrEqual(1);
    // the values that do get out are the sensor's, not a corrupted frame's
    const before = outcome.messages(SOIL).filter(([time]) => time < 65_000);
    expect(after.map(([, v]) => v)).toEqual(after.map(() => before[0]![1]));
  });

  it("crc on an AHT20 (lab-pi, LINUX): its readings stop with crc errors, the BMP280 on the same bus goes on", async () => {
    const lab = await buildFleet([path.join(ROOT, "boards", "rpi-lab.json")]);
    const bench = "sensornode/lab-pi/bench/temperature";
    const pressure = "sensornode/lab-pi/pressure/pressure";
    const outcome = await runScenario(lab, { faults: [fault({ at: 30_000, fault: "crc", node: "lab-pi", sensor: "bench", duration: 30_000 })] }, { duration: 90_000, seed: 5 });
    expect(outcome.messages(bench).filter(([time]) => time < 30_000).length).toBeGreaterThanOrEqual(3);
    expect(between(outcome.messages(bench), 31_000, 60_000)).toEqual([]);
    expect(between(outcome.messages(pressure), 31_000, 60_000).length).toBeGreaterThanOrEqual(5);
    expect(logs(outcome, /sensor bench: .*crc/i).length).toBeGreaterThanOrEqual(1);
    expect(between(outcome.messages(bench), 60_000, 90_000).length).toBeGreaterThanOrEqual(3);
  });
});

describe("clock jumps (greenhouse with JSON payloads: each reading carries the node's timestamp)", () => {
  let bundles: NodeBundle[];
  let baseline: Outcome;

  /** [broker time, the reading's timestamp as ms] for the temperature readings. */
  const stamps = (outcome: Outcome): [number, number][] => outcome.messages(TEMPERATURE).map(([time, payload]) => [time, Date.parse((JSON.parse(payload) as { timestamp: string }).timestamp)]);
  /** How far each reading's timestamp is from the true time it reached the broker (readings sent before the first SNTP answer have none). */
  const errors = (outcome: Outcome, from: number, to: number) => stamps(outcome).filter(([time, stamp]) => time >= from && time < to && !Number.isNaN(stamp)).map(([time, stamp]) => stamp - (EPOCH + time));

  beforeAll(async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "clock-jump-"));
    const board = JSON.parse(fs.readFileSync(GREENHOUSE, "utf8")) as Record<string, unknown>;
    delete board.$schema;
    fs.writeFileSync(path.join(dir, "greenhouse.json"), JSON.stringify({ ...board, payload: "json" }));
    bundles = await buildFleet([path.join(dir, "greenhouse.json")]);
    baseline = await runScenario(bundles, {}, { duration: 300_000, seed: 5 });
  });

  it("baseline: timestamps are the true time, within the 2 s a reading takes to reach the broker", () => {
    // (from 30 s: readings taken before the first connection wait in the buffer and reach the broker later, with their own time)
    const all = errors(baseline, 30_000, 300_000);
    expect(all.length).toBeGreaterThanOrEqual(25);
    // only the first (before SNTP answered) may go without one
    expect(stamps(baseline).filter(([time, stamp]) => Number.isNaN(stamp) && time > 15_000)).toEqual([]);
    for (const error of all) expect(Math.abs(error)).toBeLessThan(2000);
  });

  it("the RTC reset to 1970: no 1970 timestamp, timestamps within a reading interval of true, the schedule goes on", async () => {
    const outcome = await runScenario(bundles, { faults: [fault({ at: 60_000, fault: "clock-jump", node: "greenhouse", by: -(EPOCH + 60_000) })] }, { duration: 300_000, seed: 5 });
    expect(outcome.events.find((e) => e.what === "fault")).toMatchObject({ fault: "clock-jump", by: -(EPOCH + 60_000) });
    // Nothing is in 1970: the node keeps wall time from its monotonic clock plus the offset
    // SNTP gave. That clock stands still through a step back, from the last time the firmware
    // read it, so the timestamps may be off by up to one reading interval (10 s), not decades.
    const after = errors(outcome, 60_000, 300_000);
    expect(after.length).toBeGreaterThanOrEqual(20);
    for (const error of after) expect(Math.abs(error)).toBeLessThan(12_000);
    expect(outcome.messages(TEMPERATURE).length).toBeGreaterThanOrEqual(baseline.messages(TEMPERATURE).length - 1);
  });

  it("an hour back: the schedule does not stall for an hour; timestamps follow the RTC until the next SNTP poll puts them right", async () => {
    const outcome = await runScenario(bundles, { faults: [fault({ at: 60_000, fault: "clock-jump", node: "greenhouse", by: -3_600_000 })] }, { duration: 3_900_000, seed: 5 });
    // a reading every 10 s throughout, none missing (a clock that went back would make the next wait an hour longer)
    const times = outcome.messages(TEMPERATURE).map(([time]) => time);
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeLessThan(11_000);
    expect(times.length).toBeGreaterThanOrEqual(385);
    // wrong by the hour the RTC lost (the node cannot tell a jump from a correction) ...
    for (const error of errors(outcome, 61_000, 3_500_000)) expect(Math.abs(error + 3_600_000)).toBeLessThan(2000);
    // ... until lwIP's hourly SNTP poll, an hour after the first sync, sets the clock right
    const sync = outcome.events.filter((e) => e.type === "sntp-sync").map((e) => e.time);
    expect(sync.length).toBe(2);
    const right = errors(outcome, sync[1]! + 1000, 3_900_000);
    expect(right.length).toBeGreaterThanOrEqual(10);
    for (const error of right) expect(Math.abs(error)).toBeLessThan(2000);
  });

  it("an hour forward: no reading missed, no stall; timestamps an hour ahead until the SNTP poll", async () => {
    const outcome = await runScenario(bundles, { faults: [fault({ at: 60_000, fault: "clock-jump", node: "greenhouse", by: 3_600_000 })] }, { duration: 300_000, seed: 5 });
    const times = outcome.messages(TEMPERATURE).map(([time]) => time);
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeLessThan(11_000);
    expect(times.length).toBeGreaterThanOrEqual(baseline.messages(TEMPERATURE).length - 1);
    for (const error of errors(outcome, 61_000, 300_000)) expect(Math.abs(error - 3_600_000)).toBeLessThan(2000);
  });
});
