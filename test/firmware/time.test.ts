// Time (issue 5 §7): no timestamp before SNTP, readings taken before it rebased once it
// answers, never a 1970 date.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseCommand } from "../../firmware/commands";
import { VALID_FROM } from "../../firmware/time";
import { startMosquitto, type Mosquitto } from "../support/mosquitto";
import { advance, board, observe, rig, until } from "./harness";

let broker: Mosquitto;
beforeAll(async () => {
  broker = await startMosquitto();
});
afterAll(async () => {
  await broker.close();
});

const WALL = 1_767_225_600_000; // 2026-01-01T00:00:00Z

describe("time", () => {
  it("publishes no timestamp before sync, rebases buffered readings once it comes, never a 1970 date", async () => {
    const config = board({ mqtt: { host: broker.host, port: broker.port, keepAlive: 60 }, payload: "json" });
    const topic = `sensornode/${config.node}/climate/temperature`;
    const o = await observe(broker.host, broker.port, topic);
    const r = rig(config, { wall: 0 });
    r.node.start();
    await until(() => o.messages.length === 1, "first reading", r.clock);
    expect(JSON.parse(o.messages[0]!.payload).timestamp).toBeUndefined();

    // Broker unreachable for a minute while the clock is still unset: readings wait with
    // monotonic times.
    await broker.stop();
    await until(() => !r.node.client.connected(), "outage", r.clock);
    const taken: number[] = [];
    for (let i = 0; i < 6; i++) {
      await advance(r.clock, 10_000, 500);
      taken.push(r.clock.now());
    }
    // SNTP answers: wall = monotonic + WALL from now on.
    r.system.wall = WALL;
    const subacks = o.subacks();
    await broker.restart();
    await until(() => o.subacks() > subacks, "observer back");
    await until(() => o.messages.length >= 7, "the backlog", r.clock, 20);
    const readings = o.messages.map((m) => JSON.parse(m.payload));
    for (const reading of readings.slice(1)) {
      expect(Date.parse(reading.timestamp)).toBeGreaterThanOrEqual(VALID_FROM);
    }
    // Rebased to when each was taken (within the conversion time), not to when it was sent.
    readings.slice(1, 7).forEach((reading, i) => {
      expect(Math.abs(Date.parse(reading.timestamp) - (WALL + taken[i]!))).toBeLessThan(10_000);
    });
    const stamps = readings.slice(1, 7).map((x) => Date.parse(x.timestamp));
    for (let i = 1; i < stamps.length; i++) expect(stamps[i]! - stamps[i - 1]!).toBeCloseTo(10_000, -2);
    expect(readings.some((x) => x.timestamp && x.timestamp.startsWith("1970"))).toBe(false);
    o.end();
    r.node.client.end();
  });
});

describe("parseCommand", () => {
  it.each([
    ["reboot", { name: "reboot" }],
    [" identify ", { name: "identify" }],
    ["diag", { name: "diag" }],
    ["stay-awake", { name: "stay-awake" }],
    ["interval 5000", { name: "interval", sensor: undefined, value: 5000 }],
    ["interval air 5000", { name: "interval", sensor: "air", value: 5000 }],
    ['{"cmd":"interval","sensor":"air","value":2000}', { name: "interval", sensor: "air", value: 2000 }],
    ['{"cmd":"reboot"}', { name: "reboot" }],
  ])("%s", (text, expected) => {
    expect(parseCommand(text)).toEqual(expected);
  });

  it.each([
    ["", /unknown command/],
    ["explode", /unknown command/],
    ["interval", /interval needs/],
    ["interval 50", /interval needs/],
    ["interval 1.5e3x", /interval needs/],
    ["interval a b c", /too many words/],
    ["{", /not valid JSON/],
    ["[1]", /not valid JSON|unknown command/],
    ['{"cmd":5}', /unknown command/],
    ['{"cmd":"interval","value":"5000"}', /interval needs/],
    ['{"cmd":"interval","sensor":3,"value":5000}', /sensor/],
    ["null", /unknown command/],
  ])("%s is refused with a sentence", (text, message) => {
    const result = parseCommand(text);
    expect(typeof result).toBe("string");
    expect(result).toMatch(message);
  });
});
