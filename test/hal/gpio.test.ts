// Digital input / output and analog input drivers through the REAL Espruino pin adapter
// (hal/espruino/gpio.ts), whose globals (digitalRead, setWatch, D4, NodeMCU...) come from
// the simulated GPIO on a virtual clock.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { AnalogInputSensor } from "../../hal/drivers/analog-input";
import { DigitalInput } from "../../hal/drivers/digital-input";
import { DigitalOutput } from "../../hal/drivers/digital-output";
import { espruinoAnalog, espruinoPin } from "../../hal/espruino/gpio";
import { SimGpio } from "../../sim/devices/gpio";
import { VirtualClock } from "../../sim/virtual-clock";
import { codeOf } from "./harness";

let clock: VirtualClock;
let gpio: SimGpio;

beforeEach(() => {
  clock = new VirtualClock(5000);
  gpio = new SimGpio({ clock });
  for (const [name, value] of Object.entries(gpio.globals())) vi.stubGlobal(name, value);
});
afterEach(() => {
  vi.unstubAllGlobals();
});

function button(options: { debounce?: number; longPress?: number; invert?: boolean; pull?: "up" | "down" | "none" } = {}) {
  const changes: { state: boolean; time: number }[] = [];
  const longPresses: number[] = [];
  const input = new DigitalInput({
    pin: espruinoPin("D13"),
    clock,
    pull: options.pull ?? "up",
    invert: options.invert ?? true, // a button to ground: low = pressed
    debounce: options.debounce ?? 20,
    longPress: options.longPress,
    onChange: (state, time) => changes.push({ state, time }),
    onLongPress: (time) => longPresses.push(time),
  });
  return { input, changes, longPresses };
}

describe("digital input: debounce", () => {
  it("a bouncing press and a bouncing release are one press and one release", () => {
    const b = button({ debounce: 20 });
    expect(b.input.sample()).toEqual({ state: false }); // pulled up = released
    gpio.bounce("D13", { delay: 100, count: 7, interval: 2, level: false, settle: true }); // 12 ms of bounce, ends pressed
    gpio.bounce("D13", { delay: 400, count: 5, interval: 3, level: false, settle: false }); // released
    clock.advance(1000);
    expect(b.changes.map((c) => c.state)).toEqual([true, false]);
    // stamped with the edge that settled (Espruino), reported a debounce window later
    expect(b.changes[0]!.time).toBe(5000 + 100 + 12);
    expect(b.changes[1]!.time).toBe(5000 + 400 + 15);
    expect(b.input.sample()).toEqual({ state: false });
  });

  it("glitches shorter than the window are dropped entirely", () => {
    const b = button({ debounce: 20 });
    gpio.press("D13", { delay: 50, duration: 5 });
    gpio.press("D13", { delay: 200, duration: 15 });
    clock.advance(1000);
    expect(b.changes).toEqual([]);
  });

  it("real presses are all kept, edges in order, with their times", () => {
    const b = button({ debounce: 20 });
    const presses = [100, 300, 520, 700];
    presses.forEach((delay) => gpio.press("D13", { delay, duration: 60 }));
    clock.advance(2000);
    expect(b.changes.map((c) => c.state)).toEqual([true, false, true, false, true, false, true, false]);
    const times = b.changes.map((c) => c.time);
    expect(times).toEqual([...times].sort((x, y) => x - y));
    expect(times[0]).toBe(5000 + 100);
    expect(times[1]).toBe(5000 + 160);
  });

  it("without debounce every edge arrives, in order, at its exact time", () => {
    const b = button({ debounce: 0 });
    gpio.bounce("D13", { delay: 10, count: 3, interval: 1, level: false, settle: false });
    clock.advance(100);
    expect(b.changes.map((c) => c.state)).toEqual([true, false, true, false]);
    expect(b.changes.map((c) => c.time)).toEqual([5010, 5011, 5012, 5013]);
  });

  it("a reed contact without invert, pulled down: high = closed", () => {
    const b = button({ invert: false, pull: "down", debounce: 50 });
    expect(b.input.sample()).toEqual({ state: false });
    gpio.drive("D13", true);
    clock.advance(100);
    expect(b.input.sample()).toEqual({ state: true });
    expect(b.changes.map((c) => c.state)).toEqual([true]);
  });
});

describe("digital input: long press", () => {
  it("fires once after the input has been active for longPress ms, not for short presses", () => {
    const b = button({ debounce: 20, longPress: 2000 });
    gpio.press("D13", { delay: 100, duration: 500 }); // short
    gpio.press("D13", { delay: 1000, duration: 3000 }); // long
    clock.advance(6000);
    // counted from the press edge, not from when the debounced event was delivered
    expect(b.longPresses).toEqual([5000 + 1000 + 2000]);
    expect(b.changes.map((c) => c.state)).toEqual([true, false, true, false]);
  });

  it("close() stops events and clears its own watch and timer only", () => {
    const other = espruinoPin("D14").watch(() => undefined, { edge: "both", debounce: 0 });
    const b = button({ debounce: 20, longPress: 1000 });
    expect(gpio.watchCount).toBe(2);
    gpio.press("D13", { delay: 10, duration: 5000 });
    clock.advance(100);
    b.input.close();
    clock.advance(5000);
    expect(b.changes.map((c) => c.state)).toEqual([true]);
    expect(b.longPresses).toEqual([]);
    expect(gpio.watchCount).toBe(1);
    other();
    other(); // unsubscribing twice must not clear anything else
    expect(gpio.watchCount).toBe(0);
  });

  it("rejects invalid options before touching the pin", () => {
    const pin = espruinoPin("D15");
    expect(codeOf(() => new DigitalInput({ pin, clock, debounce: -1 }))).toBe("invalid-options");
    expect(codeOf(() => new DigitalInput({ pin, clock, pull: "sideways" as never }))).toBe("invalid-options");
    expect(codeOf(() => new DigitalInput({ pin } as never))).toBe("invalid-options");
    expect(gpio.pin("D15").mode).toBe("auto");
    expect(gpio.watchCount).toBe(0);
  });
});

describe("digital output", () => {
  it("starts in its initial state, without a glitch, and switches", () => {
    const edges: boolean[] = [];
    gpio.setWatch((e) => edges.push(e.state), gpio.pin("D18"), { repeat: true, edge: "both" });
    // an active-low relay, initially off: the pin goes high once and never dips low
    const relay = new DigitalOutput({ pin: espruinoPin("D18"), initial: false, invert: true });
    clock.advance(1);
    expect(gpio.pin("D18").level()).toBe(true);
    expect(edges).toEqual([true]);
    relay.set(true);
    expect(gpio.pin("D18").level()).toBe(false);
    expect(relay.sample()).toEqual({ state: true });
    relay.toggle();
    expect(gpio.pin("D18").level()).toBe(true);
    relay.set(true);
    relay.close();
    expect(gpio.pin("D18").level()).toBe(true); // off
    expect(relay.sample()).toEqual({ state: false });
  });

  it("an LED initially on", () => {
    const led = new DigitalOutput({ pin: espruinoPin("NodeMCU.D4"), initial: true });
    expect(gpio.pin("D2").level()).toBe(true); // NodeMCU D4 is GPIO2
    expect(gpio.pin("D2").mode).toBe("output");
    expect(led.trigger()).toBe(0);
  });

  it("rejects a non-boolean initial state", () => {
    expect(codeOf(() => new DigitalOutput({ pin: espruinoPin("D19"), initial: "on" as never }))).toBe("invalid-options");
  });
});

describe("analog input", () => {
  it("battery voltage through a 1:2 divider on a 12-bit, 3.3 V ADC", () => {
    const battery = new AnalogInputSensor({ input: espruinoAnalog("D34"), scale: 6.6 });
    for (const volts of [3.0, 3.3, 3.7, 4.2]) {
      gpio.setVoltage("D34", volts / 2);
      const s = battery.sample();
      expect(Object.keys(s)).toEqual(["voltage"]);
      expect(Math.abs(s.voltage! - volts)).toBeLessThanOrEqual(6.6 / 4095); // one ADC step
    }
  });

  it("soil moisture: two-point linear calibration, clamped to 0..100 %, averaged", () => {
    // probe reads 0.9 of full scale dry (0 %) and 0.2 wet (100 %)
    const scale = 100 / (0.2 - 0.9);
    const soil = new AnalogInputSensor({ input: espruinoAnalog("D35"), measurement: "moisture", scale, offset: -0.9 * scale, min: 0, max: 100, samples: 8 });
    const cases: [number, number][] = [[0.9, 0], [0.55, 50], [0.2, 100], [0.95, 0], [0.1, 100]];
    for (const [fraction, expected] of cases) {
      gpio.setVoltage("D35", fraction * 3.3);
      expect(soil.sample().moisture).toBeCloseTo(expected, 0);
    }
  });

  it("rejects bad calibration before reading", () => {
    const input = espruinoAnalog("D36");
    expect(codeOf(() => new AnalogInputSensor({ input, scale: NaN }))).toBe("invalid-options");
    expect(codeOf(() => new AnalogInputSensor({ input, samples: 0 }))).toBe("invalid-options");
    expect(codeOf(() => new AnalogInputSensor({ input, min: 5, max: 1 }))).toBe("invalid-options");
    expect(codeOf(() => new AnalogInputSensor({ input, measurement: "" }))).toBe("invalid-options");
  });
});
