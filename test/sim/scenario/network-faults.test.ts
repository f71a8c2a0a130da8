// Latency, loss and a half-open connection between the real greenhouse firmware and the
// embedded broker, in virtual time. Delays are measured against the node's own reading
// schedule (every 10 s), so a slow first connect on a loaded machine does not shift them.
import { beforeAll, describe, expect, it } from "vitest";
import type { FaultSpec } from "../../../sim/scenario";
import type { NodeBundle } from "../../../sim/fleet-build";
import { greenhouse, runScenario, type Outcome } from "./helpers";

const STATUS = "sensornode/greenhouse/status";
const TEMPERATURE = "sensornode/greenhouse/air/temperature";
const READINGS = [TEMPERATURE, "sensornode/greenhouse/air/humidity", "sensornode/greenhouse/air/pressure", "sensornode/greenhouse/light/illuminance"];

let bundles: NodeBundle[];
let baseline: Outcome;

function fault(spec: Omit<FaultSpec, "source">): FaultSpec {
  return { source: "test", ...spec };
}

/**
 * How late each temperature reading due in [from, to) reached the broker. The last reading
 * before `from` (no fault yet) fixes the schedule, and the k-th message after it is the
 * reading due 10 s x k later (TCP keeps order and loses nothing).
 */
function delays(outcome: Outcome, from: number, to: number, topic = TEMPERATURE): number[] {
  const times = outcome.messages(topic).map(([time]) => time);
  const last = times.filter((time) => time < from).length - 1;
  expect(last).toBeGreaterThanOrEqual(0);
  const out: number[] = [];
  for (let k = 1; times[last]! + 10_000 * k < to; k++) {
    expect(times[last + k]).toBeDefined();
    out.push(times[last + k]! - (times[last]! + 10_000 * k));
  }
  return out;
}

beforeAll(async () => {
  bundles = await greenhouse();
  baseline = await runScenario(bundles, {}, { duration: 200_000, seed: 5 });
});

describe("network faults on the greenhouse firmware (virtual time)", () => {
  it("latency: every reading reaches the broker `delay` later while it lasts, none lost, and on time again after", async () => {
    const outcome = await runScenario(bundles, { faults: [fault({ at: 60_000, fault: "latency", node: "greenhouse", delay: 2000, duration: 60_000 })] }, { duration: 200_000, seed: 5 });
    const during = delays(outcome, 60_000, 118_000);
    expect(during.length).toBeGreaterThanOrEqual(5);
    // (the firmware paces what it sends from its buffer by a few ms, so the reading that fixes
    // the schedule may itself have left up to that much late: 50 ms of slack below the delay)
    for (const delay of during) {
      expect(delay).toBeGreaterThanOrEqual(2000 - 50);
      expect(delay).toBeLessThan(2500);
    }
    for (const delay of delays(outcome, 125_000, 200_000)) expect(delay).toBeLessThan(500);
    expect(outcome.messages(TEMPERATURE).length).toBeGreaterThanOrEqual(baseline.messages(TEMPERATURE).length - 1);
    // a one-way delay below the keepalive changes nothing else: the same connection throughout
    expect(outcome.messages(STATUS).filter(([, p]) => p === "online").length).toBe(1);
    expect(outcome.events.find((e) => e.what === "fault" && e.phase === "begin")).toMatchObject({ fault: "latency", delay: 2000, node: "greenhouse" });
  });

  it("loss: lost packets are retransmitted, so readings arrive late (1 s and more) and in order, none lost, same connection", async () => {
    const run = () => runScenario(bundles, { faults: [fault({ at: 60_000, fault: "loss", node: "greenhouse", probability: 0.4, duration: 60_000 })] }, { duration: 200_000, seed: 5 });
    const outcome = await run();
    // the four readings of a cycle, each its own PUBLISH
    const during = READINGS.flatMap((topic) => delays(outcome, 60_000, 120_000, topic));
    // with a 40 % chance per packet, some readings wait for one or more retransmissions (1 s, then 2 s, ...)
    expect(during.filter((d) => d >= 1000).length).toBeGreaterThanOrEqual(3);
    const times = outcome.messages(TEMPERATURE).map(([time]) => time);
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    expect(outcome.messages(STATUS).filter(([, p]) => p === "online").length).toBe(1);
    for (const delay of delays(outcome, 140_000, 200_000)) expect(delay).toBeLessThan(500);
    expect(outcome.messages(TEMPERATURE).length).toBeGreaterThanOrEqual(baseline.messages(TEMPERATURE).length - 1);
    // the losses are drawn from the seed per packet: the same run again loses the same packets
    const again = await run();
    expect(READINGS.flatMap((topic) => delays(again, 60_000, 120_000, topic)).map((d) => d >= 1000)).toEqual(during.map((d) => d >= 1000));
  });

  it("half-open: the broker side goes silent with no FIN; the node notices by its keepalive (no PINGRESP), reconnects and delivers what was in flight", async () => {
    const outcome = await runScenario(bundles, { faults: [fault({ at: 60_000, fault: "half-open", node: "greenhouse" })] }, { duration: 240_000, seed: 5 });
    expect(outcome.events.find((e) => e.what === "fault")).toMatchObject({ fault: "half-open", sockets: 1 });
    const statuses = outcome.messages(STATUS);
    const online = statuses.filter(([, p]) => p === "online");
    expect(online.length).toBe(2);
    // The node last heard a PUBACK up to 10 s before the fault; keepAlive (60 s) after that it
    // sends PINGREQ, waits 10 s for the PINGRESP, closes (the broker then publishes the will)
    // and reconnects: not at once (nothing told it), and not never.
    const will = statuses.find(([time, p]) => p === "offline" && time > 60_000)!;
    expect(will[0]).toBeGreaterThan(60_000 + 50_000);
    expect(will[0]).toBeLessThan(60_000 + 60_000 + 10_000 + 2000);
    // (how soon after that it reconnects depends on backoff, and on the host's load in virtual time)
    // (full jitter may pick a backoff near 0, so compare the order the broker routed them in)
    expect(statuses.indexOf(online[1]!)).toBeGreaterThan(statuses.indexOf(will));
    // nothing reached the broker in between; afterwards what was in flight is sent again (QoS 1): none lost
    const temperatures = outcome.messages(TEMPERATURE);
    expect(temperatures.filter(([time]) => time > 61_000 && time < will[0])).toEqual([]);
    expect(temperatures.length).toBeGreaterThanOrEqual(baseline.messages(TEMPERATURE).length + (240_000 - 200_000) / 10_000 - 1);
  });
});
