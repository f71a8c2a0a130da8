// What a real part adds to the true value, from its datasheet: a fixed error of THIS part
// (drawn once from the part's seed, within the typical accuracy) and noise on every
// conversion (drawn from the part's seed and the instant, so it is reproducible).
// Resolution is not added here: the simulated devices (sim/devices/) already quantise to
// their ADC steps and the drivers to their output steps.
//
// Where the numbers come from:
//  - SHT3x-DIS datasheet (Sensirion, v6), Tables 1-2: SHT31 accuracy typ. +-0.2 degC and
//    +-2 %RH; repeatability at high repeatability 0.04 degC and 0.08 %RH, which the datasheet
//    states as 3 sigma of consecutive measurements.
//  - BME280 datasheet (Bosch BST-BME280-DS002), Table 1: temperature absolute accuracy
//    +-0.5 degC at 25 degC, output resolution 0.01 degC; Table 2: humidity +-3 %RH, RMS noise
//    0.02 %RH; Table 3: pressure absolute accuracy +-1.0 hPa (0..65 degC), RMS noise 1.3 Pa at
//    full bandwidth (0.2 Pa with the IIR filter; the driver leaves the filter off).
//    BMP280 (BST-BMP280-DS001), Table 2: the same temperature and pressure figures.
//  - AHT20 datasheet (Aosong, v1.0), Tables 1-2: +-0.3 degC and +-2 %RH typ.; repeatability
//    +-0.1 degC and +-0.1 %RH (taken as 3 sigma, as Sensirion states it; Aosong does not say).
//  - BH1750FVI datasheet (ROHM, Rev.D), p.2: measurement accuracy (sensor out / actual) 0.96
//    to 1.44 around the typical 1.2, i.e. this part's gain is within +-20 % of the typical
//    one; resolution 1 lx in H-resolution mode (the device model's counts).
//  - DS18B20 datasheet (Maxim 19-7487), DC characteristics: thermometer error +-0.5 degC from
//    -10 to +85 degC; resolution 0.0625 degC at 12 bits (the device model's).
import type { Conditions } from "./signals";
import { gaussian, uniform } from "./signals";

export type Quantity = "temperature" | "humidity" | "pressure" | "illuminance";

interface QuantityError {
  /** Typical absolute accuracy: this part's fixed error is drawn within +-accuracy (a normal with sigma = accuracy / 2, clipped). */
  accuracy?: number;
  /** Relative gain error bound (illuminance). */
  gain?: number;
  /** Standard deviation of the noise on each conversion. */
  noise: number;
}

export const SENSOR_ERRORS: Record<string, Partial<Record<Quantity, QuantityError>>> = {
  sht3x: { temperature: { accuracy: 0.2, noise: 0.04 / 3 }, humidity: { accuracy: 2, noise: 0.08 / 3 } },
  bme280: { temperature: { accuracy: 0.5, noise: 0.005 }, humidity: { accuracy: 3, noise: 0.02 }, pressure: { accuracy: 100, noise: 1.3 } },
  bmp280: { temperature: { accuracy: 0.5, noise: 0.005 }, pressure: { accuracy: 100, noise: 1.3 } },
  aht20: { temperature: { accuracy: 0.3, noise: 0.1 / 3 }, humidity: { accuracy: 2, noise: 0.1 / 3 } },
  bh1750: { illuminance: { gain: 0.2, noise: 0 } },
  ds18b20: { temperature: { accuracy: 0.5, noise: 0.01 } },
};

const CHANNEL: Record<Quantity, number> = { temperature: 101, humidity: 102, pressure: 103, illuminance: 104 };

/** One part's reading of the true conditions at `time` (ms; the noise's index). */
export function partReading(type: string, partSeed: number, truth: Partial<Conditions>, time: number): Partial<Record<Quantity, number>> {
  const errors = SENSOR_ERRORS[type] ?? {};
  const out: Partial<Record<Quantity, number>> = {};
  (Object.keys(CHANNEL) as Quantity[]).forEach((quantity) => {
    const value = truth[quantity];
    if (value === undefined) return;
    const error = errors[quantity];
    if (!error) {
      out[quantity] = value;
      return;
    }
    const channel = CHANNEL[quantity];
    let reading = value;
    if (error.gain) reading *= 1 + clip(gaussian(partSeed, channel, -1) * (error.gain / 3), error.gain);
    if (error.accuracy) reading += clip(gaussian(partSeed, channel, -2) * (error.accuracy / 2), error.accuracy);
    // noise: a fresh draw per millisecond of simulated time
    if (error.noise) reading += error.noise * gaussian(partSeed, channel + 0x100, Math.floor(time));
    if (quantity === "humidity") reading = Math.max(0, Math.min(100, reading));
    if (quantity === "illuminance") reading = Math.max(0, reading);
    out[quantity] = reading;
  });
  return out;
}

function clip(value: number, bound: number): number {
  return Math.max(-bound, Math.min(bound, value));
}

/** A per-part seed from the node's seed and the sensor's index on the board. */
export function partSeed(nodeSeed: number, index: number): number {
  return Math.floor(uniform(nodeSeed, 0x5e, index) * 4294967296) >>> 0;
}
