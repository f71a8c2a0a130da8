// The GPIO model's Espruino functions: pins, pulls, setWatch semantics, analogRead.
import { describe, expect, it } from "vitest";
import { SimGpio } from "../../../sim/devices/gpio";
import { VirtualClock } from "../../../sim/virtual-clock";

function rig() {
  const clock = new VirtualClock(2000);
  const gpio = new SimGpio({ clock });
  const events: { state: boolean; time: number; lastTime?: number }[] = [];
  return { clock, gpio, events, record: (e: { state: boolean; time: number; lastTime?: number }) => events.push(e) };
}

describe("SimGpio", () => {
  it("pull resistors decide an undriven input; external drive wins; outputs drive", () => {
    const { gpio } = rig();
    const pin = gpio.pin("D4");
    gpio.pinMode(pin, "input_pullup");
    expect(gpio.digitalRead(pin)).toBe(1);
    gpio.drive("D4", false);
    expect(gpio.digitalRead(pin)).toBe(0);
    gpio.drive("D4", undefined);
    gpio.pinMode(pin, "input_pulldown");
    expect(gpio.digitalRead(pin)).toBe(0);
    const out = gpio.pin("D5");
    gpio.digitalWrite(out, 1);
    expect(out.mode).toBe("output");
    expect(out.level()).toBe(true);
  });

  it("NodeMCU names map to ESP8266 GPIOs like Espruino's NodeMCU object", () => {
    const { gpio } = rig();
    expect(gpio.pin("NodeMCU.D1")).toBe(gpio.pin("D5"));
    expect(gpio.pin("NodeMCU.D4")).toBe(gpio.pin("D2"));
    expect((gpio.globals().NodeMCU as Record<string, unknown>).D0).toBe(gpio.pin("D16"));
  });

  it("setWatch without debounce: every edge, times in seconds, lastTime from the previous event, edge filter", () => {
    const { gpio, clock, events, record } = rig();
    const pin = gpio.pin("D12");
    gpio.pinMode(pin, "input_pullup");
    gpio.setWatch(record, pin, { repeat: true, edge: "falling" });
    gpio.press("D12", { delay: 10, duration: 5 });
    gpio.press("D12", { delay: 30, duration: 5 });
    clock.advance(100);
    // lastTime is the previous edge of either direction (the rising one at 2.015), as on Espruino
    expect(events).toEqual([{ state: false, time: 2.01 }, { state: false, time: 2.03, lastTime: 2.015 }]);
  });

  it("setWatch with debounce: each edge restarts the window; one event when the level settles differently", () => {
    const { gpio, clock, events, record } = rig();
    const delivered: number[] = [];
    const pin = gpio.pin("D12");
    gpio.pinMode(pin, "input_pullup");
    gpio.setWatch((e) => {
      record(e);
      delivered.push(clock.now());
    }, pin, { repeat: true, edge: "both", debounce: 10 });
    gpio.bounce("D12", { delay: 0, count: 5, interval: 4, level: false, settle: true });
    gpio.bounce("D12", { delay: 100, count: 2, interval: 3, level: false, settle: true }); // goes back to pressed
    clock.advance(200);
    // pressed from the last toggle at 16 ms: delivered at 26 ms, stamped 16 ms (the settling
    // edge); the second burst ends pressed again: no event
    expect(events).toEqual([{ state: false, time: 2.016 }]);
    expect(delivered).toEqual([2026]);
  });

  it("repeat: false fires once; clearWatch() without an id clears every watch (as on Espruino)", () => {
    const { gpio, clock, events, record } = rig();
    const pin = gpio.pin("D12");
    gpio.setWatch(record, pin, { edge: "both" });
    gpio.setWatch(record, gpio.pin("D13"), { repeat: true, edge: "both" });
    gpio.drive("D12", true);
    gpio.drive("D12", false);
    clock.advance(1);
    expect(events).toHaveLength(1);
    expect(gpio.watchCount).toBe(1);
    gpio.clearWatch();
    expect(gpio.watchCount).toBe(0);
  });

  it("analogRead: fraction of full scale, quantised to the ADC's bits, clamped", () => {
    const clock = new VirtualClock();
    const esp8266 = new SimGpio({ clock, adc: { fullScale: 1.0, bits: 10 } });
    esp8266.setVoltage("A0", 0.5);
    expect(esp8266.analogRead(esp8266.pin("A0"))).toBe(Math.round(0.5 * 1023) / 1023);
    esp8266.setVoltage("A0", 1.7);
    expect(esp8266.analogRead(esp8266.pin("A0"))).toBe(1);
  });
});
