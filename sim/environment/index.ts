// Puts a node in the world: its simulated sensors read the seeded environment (signals.ts)
// through their datasheet errors (sensors.ts), and people act on its inputs (inputs.ts).
//
// The devices in sim/devices/ take what they measure from their `physical` values at the
// start of each conversion. Here `physical` becomes a getter that computes the world at
// that instant (wall time = the simulation's epoch + the SimClock), so nothing runs between
// conversions: a fleet of thousands costs nothing while its nodes sleep. A test or a
// scenario that calls setPhysical() takes the device over from the environment (the value
// it sets stays, as before).
import type { Clock } from "../../hal/clock";
import type { BoardConfig } from "../../boards/schema";
import type { WiredHardware } from "../board/hardware";
import { driveInputs, type WorldEvent } from "./inputs";
import { partReading, partSeed } from "./sensors";
import { conditions, LOCATIONS, soilMoisture, soilTemperature, type Location, type Place, type Site } from "./signals";

export type { Location, Site } from "./signals";
export type { WorldEvent } from "./inputs";

export interface EnvironmentOptions {
  clock: Clock;
  /** Wall-clock ms at clock time 0 (the boards' epoch: what SNTP says). */
  epoch: number;
  site: Site;
  location: Location;
  /** The node's seed: its parts' errors, its room, its people. */
  seed: number;
  record?: (event: WorldEvent) => void;
}

export interface NodeEnvironment {
  place: Place;
  stop(): void;
}

/** Where a node is, from its id when nothing says otherwise: "greenhouse..." in a greenhouse, "garden", "outdoor", "weather", "roof", "balcony" outside, else indoors. */
export function locationOf(node: string): Location {
  if (/greenhouse|glasshouse/.test(node)) return "greenhouse";
  if (/outdoor|outside|garden|weather|roof|balcony|yard/.test(node)) return "outdoor";
  return "indoor";
}

export function isLocation(text: string): text is Location {
  return (LOCATIONS as string[]).includes(text);
}

export function attachEnvironment(config: BoardConfig, hardware: WiredHardware, options: EnvironmentOptions): NodeEnvironment {
  const place: Place = { site: options.site, location: options.location, seed: options.seed };
  const wall = () => options.epoch + options.clock.now();
  (config.sensors ?? []).forEach((sensor, index) => {
    const seed = partSeed(options.seed, index);
    if (sensor.type === "analog") {
      // a soil-moisture probe: the calibrated value back to volts at the pin (value = raw * scale + offset, raw = V / full scale)
      if (!/moist/.test(`${sensor.name} ${sensor.measurement ?? ""}`)) return;
      const pin = hardware.gpio.pin(sensor.pin);
      const scale = sensor.scale ?? 1;
      const offset = sensor.offset ?? 0;
      if (scale === 0) return;
      Object.defineProperty(pin, "voltage", {
        configurable: true,
        enumerable: true,
        get: () => Math.max(0, Math.min(1, (soilMoisture(place, wall()) - offset) / scale)) * hardware.gpio.adc.fullScale,
        set: (value: number) => Object.defineProperty(pin, "voltage", { value, writable: true, configurable: true, enumerable: true }),
      });
      return;
    }
    const device = hardware.devices[sensor.name];
    if (!device) return;
    const keys = Object.keys(device.physical);
    const soil = sensor.type === "ds18b20" && /soil|ground/.test(sensor.name);
    feed(device, () => {
      const now = wall();
      const truth = soil ? { temperature: soilTemperature(place, now) } : conditions(place, now);
      const reading = partReading(sensor.type, seed, truth, options.clock.now()) as Record<string, number>;
      const out: Record<string, number> = {};
      keys.forEach((key) => {
        if (reading[key] !== undefined) out[key] = reading[key]!;
      });
      return out;
    });
  });
  const stop = driveInputs(config.inputs ?? [], { gpio: hardware.gpio, clock: options.clock, epoch: options.epoch, seed: options.seed, longitude: options.site.longitude, record: options.record });
  return { place, stop };
}

/** `device.physical` read from `read()` until someone assigns it (setPhysical). */
function feed(device: object, read: () => Record<string, number>): void {
  Object.defineProperty(device, "physical", {
    configurable: true,
    enumerable: true,
    get: read,
    set: (value: unknown) => Object.defineProperty(device, "physical", { value, writable: true, configurable: true, enumerable: true }),
  });
}
