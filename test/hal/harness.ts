// Shared set-up for HAL tests: a virtual clock, a simulated Espruino I2C / 1-Wire bus and
// the REAL Espruino adapters (hal/espruino/) on top, so every driver test also runs the
// adapter code that ships.
import { expect } from "vitest";
import { errorCode } from "../../hal/errors";
import type { I2CBus } from "../../hal/i2c";
import type { OneWireBus } from "../../hal/onewire";
import { wrapI2C } from "../../hal/espruino/i2c";
import { wrapOneWire } from "../../hal/espruino/onewire";
import { SimI2C, type I2CMode } from "../../sim/devices/i2c-bus";
import { SimOneWire } from "../../sim/devices/onewire-bus";
import { VirtualClock } from "../../sim/virtual-clock";

export interface I2CRig {
  clock: VirtualClock;
  sim: SimI2C;
  bus: I2CBus;
}

export function i2cRig(mode: I2CMode = "hardware"): I2CRig {
  const clock = new VirtualClock(1000);
  const sim = new SimI2C({ mode, clock });
  sim.setup({ scl: "D22", sda: "D21", bitrate: 100000 });
  return { clock, sim, bus: wrapI2C(sim, mode === "software") };
}

export interface OneWireRig {
  clock: VirtualClock;
  sim: SimOneWire;
  bus: OneWireBus;
}

export function oneWireRig(): OneWireRig {
  const clock = new VirtualClock(1000);
  const sim = new SimOneWire({ clock });
  return { clock, sim, bus: wrapOneWire(sim as unknown as Parameters<typeof wrapOneWire>[0]) };
}

/** The coded error a call throws (fails the test when it does not throw). */
export function codeOf(call: () => unknown): string | undefined {
  try {
    call();
  } catch (error) {
    return errorCode(error) ?? "uncoded: " + String(error);
  }
  expect.fail("expected a coded error, got none");
}

/** trigger(), advance the clock by what it asked for, sample(). */
export function cycle<S>(clock: VirtualClock, sensor: { trigger(): number; sample(): S }): S {
  const wait = sensor.trigger();
  clock.advance(wait);
  return sensor.sample();
}

/** n evenly spaced values from min to max inclusive. */
export function sweep(min: number, max: number, n: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(min + ((max - min) * i) / (n - 1));
  return out;
}
