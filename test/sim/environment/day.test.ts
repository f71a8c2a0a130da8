// End to end: the real firmware bundle of an outdoor ESP32 node (SHT3x + BH1750, a reading
// every 10 minutes) on a virtual board for 24 simulated hours against the embedded broker.
// Its temperatures follow the day (not constant, within plausible bounds), its light is 0 at
// night and not by day, and every time it reports comes from the simulated clock, not the
// host's: diag's `time` is the run's epoch plus the simulated time, in a year chosen so that
// a leak of real time cannot pass. The same seed gives the same readings twice.
import path from "node:path";
import { describe, expect, it } from "vitest";
import { Simulation, type SimEvent } from "../../../sim/cli";
import { buildFleet } from "../../../sim/fleet-build";

const BOARD = path.join(import.meta.dirname, "fixtures", "garden-probe.json");
const DAY = 86_400_000;
// Midsummer 2031 at midnight UTC: far from the machine's real date, and a long day.
const EPOCH = Date.UTC(2031, 5, 21);

async function day(seed: number): Promise<SimEvent[]> {
  const bundles = await buildFleet([BOARD]);
  const simulation = new Simulation(bundles, { virtual: true, duration: DAY, seed, epoch: EPOCH });
  const events: SimEvent[] = [];
  simulation.onEvent((e) => events.push(e));
  await simulation.start();
  await simulation.stop();
  return events;
}

function readings(events: SimEvent[], measurement: string): { time: number; value: number }[] {
  return events.filter((e) => e.type === "mqtt" && e.topic === `sensornode/garden-probe/${measurement}`).map((e) => ({ time: e.time, value: Number(e.payload) }));
}

describe("a day in the garden, real bundle, virtual time", () => {
  it("temperatures vary along the day within plausible bounds, light is 0 at night, diag time is simulated time; same seed, same readings", async () => {
    const events = await day(17);
    expect(events.filter((e) => e.type === "uncaught")).toEqual([]);
    const temperatures = readings(events, "air/temperature");
    const humidity = readings(events, "air/humidity");
    const light = readings(events, "light/illuminance");
    // one reading every 10 minutes (a slow first connection may hold a few back until the next delivery)
    expect(temperatures.length).toBeGreaterThanOrEqual(140);
    expect(temperatures.length).toBeLessThanOrEqual(145);
    const values = temperatures.map((r) => r.value);
    expect(new Set(values).size).toBeGreaterThan(20);
    expect(Math.max(...values) - Math.min(...values)).toBeGreaterThan(3);
    expect(Math.min(...values)).toBeGreaterThan(-10);
    expect(Math.max(...values)).toBeLessThan(40);
    expect(humidity.every((r) => r.value >= 0 && r.value <= 100)).toBe(true);
    // warmest reading in the afternoon half of the day, coldest in the small hours or early morning (solar = UTC here)
    const hourOf = (time: number) => (time % DAY) / 3_600_000;
    const warmest = temperatures.reduce((a, b) => (b.value > a.value ? b : a));
    const coldest = temperatures.reduce((a, b) => (b.value < a.value ? b : a));
    expect(hourOf(warmest.time)).toBeGreaterThan(11);
    expect(hourOf(warmest.time)).toBeLessThan(19);
    expect(hourOf(coldest.time) < 9 || hourOf(coldest.time) > 23).toBe(true);
    // midsummer at 48 degrees north: dark around 01:00, bright at noon
    const at = (hour: number) => light.find((r) => Math.abs(hourOf(r.time) - hour) < 0.17)!;
    expect(at(1).value).toBe(0);
    expect(at(12).value).toBeGreaterThan(1000);

    const diags = events.filter((e) => e.type === "mqtt" && e.topic === "sensornode/garden-probe/diag").map((e) => ({ time: e.time, body: JSON.parse(String(e.payload)) as { time?: string } }));
    expect(diags.length).toBeGreaterThanOrEqual(20);
    const timed = diags.filter((d) => d.body.time !== undefined);
    expect(timed.length).toBeGreaterThanOrEqual(diags.length - 1); // the one sent before SNTP answers may have none
    for (const diag of timed) expect(Math.abs(Date.parse(diag.body.time!) - (EPOCH + diag.time))).toBeLessThan(60_000);

    // the same values in the same order; the reading due at the very last instant may reach the
    // broker before the stop in one run and not in the other, so compare what both runs delivered
    const again = await day(17);
    const same = (a: number[], b: number[]) => {
      expect(Math.abs(a.length - b.length)).toBeLessThanOrEqual(1);
      const n = Math.min(a.length, b.length);
      expect(a.slice(0, n)).toEqual(b.slice(0, n));
    };
    same(readings(again, "air/temperature").map((r) => r.value), values);
    same(readings(again, "light/illuminance").map((r) => r.value), light.map((r) => r.value));
  });
});
