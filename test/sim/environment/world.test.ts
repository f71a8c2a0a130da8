// The world acting on a board: people on its inputs (Poisson by hour of the day, wired as the
// board file says), and the seeded signals reaching firmware-side reads through the real
// simulated parts, into a board's event log that is the same twice for the same seed.
import { describe, expect, it } from "vitest";
import type { BoardConfig, InputConfig } from "../../../boards/schema";
import { boardFromConfig } from "../../../sim/board/from-config";
import { SimClock } from "../../../sim/board/scheduler";
import { SimGpio } from "../../../sim/devices/gpio";
import { attachEnvironment, locationOf } from "../../../sim/environment";
import { driveInputs, RATES, type WorldEvent } from "../../../sim/environment/inputs";

const DAY = 86_400_000;
const EPOCH = Date.UTC(2026, 3, 1);

function world(inputs: InputConfig[], seed: number, days: number) {
  const clock = new SimClock();
  const gpio = new SimGpio({ clock });
  const events: (WorldEvent & { time: number; level: number })[] = [];
  inputs.forEach((input) => gpio.pinMode(gpio.pin(input.pin), input.pull === "down" ? "input_pulldown" : "input_pullup"));
  driveInputs(inputs, { gpio, clock, epoch: EPOCH, seed, record: (e) => clock.setTimeout(() => events.push({ ...e, time: clock.now(), level: gpio.digitalRead(gpio.pin(inputs.find((i) => i.name === e.input)!.pin)) }), 50) });
  const levels: number[] = inputs.map((i) => gpio.digitalRead(gpio.pin(i.pin)));
  clock.advance(days * DAY);
  return { events, levels, gpio };
}

describe("people on the inputs", () => {
  it("PIR motion: a Poisson count per day as its hourly rates add up, busier in the evening than at night", () => {
    const days = 28;
    const { events } = world([{ name: "pir", pin: "D5", kind: "motion", pull: "down" } as InputConfig], 11, days);
    const expected = RATES.motion!.reduce((s, r) => s + r, 0) * days;
    // thinning drops candidates that come while an event lasts, so somewhat fewer; 5 sigma below, 4 above
    expect(events.length).toBeGreaterThan(expected * 0.8 - 5 * Math.sqrt(expected));
    expect(events.length).toBeLessThan(expected + 4 * Math.sqrt(expected));
    const hour = (t: number) => Math.floor(((EPOCH + t) % DAY) / 3_600_000);
    const evening = events.filter((e) => hour(e.time) >= 18 && hour(e.time) < 21).length;
    const night = events.filter((e) => hour(e.time) >= 1 && hour(e.time) < 4).length;
    expect(evening).toBeGreaterThan(10 * Math.max(1, night));
    // the PIR output is high while someone moves (active-high output, pull-down)
    expect(events.every((e) => e.level === 1)).toBe(true);
  });

  it("a door contact to ground with a pull-up reads low (shut) at rest and high while open; a button with invert reads low while pressed", () => {
    const inputs = [
      { name: "door", pin: "D5", kind: "door", pull: "up" },
      { name: "bell", pin: "D6", kind: "button", pull: "up", invert: true, longPress: 2000 },
    ] as InputConfig[];
    const { events, levels } = world(inputs, 4, 14);
    expect(levels).toEqual([0, 1]); // at rest: door shut (contact closed to ground), button up (pull-up)
    const doors = events.filter((e) => e.input === "door");
    const presses = events.filter((e) => e.input === "bell");
    expect(doors.length).toBeGreaterThan(100);
    expect(presses.length).toBeGreaterThan(20);
    expect(doors.every((e) => e.what === "open" && e.level === 1)).toBe(true);
    expect(presses.every((e) => e.what === "press" && (e.duration < 60 || e.level === 0))).toBe(true);
    // some presses are long enough for the board's long-press
    expect(presses.some((e) => e.duration > 2000)).toBe(true);
    expect(presses.some((e) => e.duration < 400)).toBe(true);
  });

  it("same seed, same events at the same instants; another seed, others", () => {
    const inputs = [{ name: "door", pin: "D5", kind: "door" }] as InputConfig[];
    const first = world(inputs, 8, 3).events;
    expect(world(inputs, 8, 3).events).toEqual(first);
    expect(world(inputs, 9, 3).events).not.toEqual(first);
  });

  it("a node's location comes from its id", () => {
    expect(locationOf("greenhouse")).toBe("greenhouse");
    expect(locationOf("garden-probe")).toBe("outdoor");
    expect(locationOf("front-door")).toBe("indoor");
  });
});

// A board that reads its SHT3x by hand every 10 minutes (single shot, high repeatability,
// §4.3) and prints the six raw bytes, and prints its door contact's edges.
const DOOR_BOARD = {
  node: "porch",
  board: "ESP8266",
  mqtt: { host: "127.0.0.1" },
  i2c: [{ name: "i2c0", scl: "NodeMCU.D1", sda: "NodeMCU.D2" }],
  sensors: [{ name: "climate", type: "sht3x", bus: "i2c0" }],
  inputs: [{ name: "door", pin: "NodeMCU.D5", kind: "door", pull: "up" }],
} as unknown as BoardConfig;

const READER = `
  var i2c = new I2C();
  i2c.setup({ scl: NodeMCU.D1, sda: NodeMCU.D2 });
  pinMode(NodeMCU.D5, "input_pullup");
  setWatch(function (e) { print("door " + (e.state ? "open" : "shut") + " at " + e.time); }, NodeMCU.D5, { repeat: true, edge: "both", debounce: 50 });
  setInterval(function () {
    i2c.writeTo(0x44, [0x24, 0x00]);
    setTimeout(function () { print("sht3x " + [].join.call(i2c.readFrom(0x44, 6), ",")); }, 20);
  }, 600000);
`;

function eventLog(seed: number): { json: string; log: string[] } {
  const clock = new SimClock();
  const { board, hardware } = boardFromConfig(DOOR_BOARD, READER, { clock, seed, epoch: EPOCH });
  attachEnvironment(DOOR_BOARD, hardware, { clock, epoch: EPOCH, site: { seed }, location: "outdoor", seed, record: (e) => board.record("world", { ...e }) });
  board.start();
  clock.advance(DAY);
  return { json: JSON.stringify(board.events), log: board.log };
}

describe("the environment in a board's event log", () => {
  it("same seed, same event log (readings and door events included); another seed, another log", () => {
    const first = eventLog(21);
    expect(eventLog(21).json).toBe(first.json);
    expect(eventLog(22).json).not.toBe(first.json);
    const readings = first.log.filter((l) => l.startsWith("sht3x "));
    expect(readings).toHaveLength(143); // every 10 min from boot (300 ms after power-on): the 144th falls just after the day
    // the signals are in it: the raw temperature word moves through the day
    const temperatures = readings.map((l) => {
      const b = l.slice(6).split(",").map(Number);
      return -45 + (175 * ((b[0]! << 8) | b[1]!)) / 65535; // §4.13
    });
    expect(Math.max(...temperatures) - Math.min(...temperatures)).toBeGreaterThan(2);
    expect(Math.min(...temperatures)).toBeGreaterThan(-25);
    expect(Math.max(...temperatures)).toBeLessThan(35);
    const world = JSON.parse(first.json).filter((e: { type: string }) => e.type === "world");
    expect(world.length).toBeGreaterThan(3);
    expect(first.log.filter((l) => l.startsWith("door open")).length).toBe(world.length);
  });
});
