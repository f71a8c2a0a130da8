// The BME280 driver's integer maths against the vendor's own C code, independently of the
// simulated device: a plain register fixture serves a trimming block and raw ADC values.
// Expected values were produced by compiling the datasheet's BME280_compensate_T_int32,
// BME280_compensate_P_int32 (§8.2) and bme280_compensate_H_int32 (§4.2.3) with gcc
// (int32_t/uint32_t as in the datasheet), for the datasheet's example trimming and five
// trimmings from simulated seeds, one with negative dig_H4/H5/H6.
import { describe, expect, it } from "vitest";
import { Bme280 } from "../../hal/drivers/bme280";
import type { I2CBus } from "../../hal/i2c";
import { referencePressure, referenceTemperature, type Bme280Calibration } from "../../sim/devices/bme280";

// [T1,T2,T3,P1..P9,H1,H2,H3,H4,H5,H6], [adc_T, adc_P, adc_H], C results: T in 0.01 degC,
// P in Pa (32-bit formula), H in 1/1024 %RH.
const VECTORS = [
  { cal: [27504, 26435, -1000, 36477, -10685, 3024, 2855, 140, -7, 15500, -14600, 6000, 75, 362, 0, 324, 50, 30], adc: [519888, 415148, 30000], t: 2508, p: 100656, h: 52306 },
  { cal: [28129, 25504, -446, 38444, -10225, 3012, 5871, 66, -7, 15472, -12506, 4978, 14, 360, 2, 290, 9, -16], adc: [400000, 300000, 20000], t: -1523, p: 100124, h: 8896 },
  { cal: [27021, 25605, 26, 37597, -10583, 3062, 5064, -78, -7, 13987, -13414, 4312, 77, 366, 2, 306, -11, 12], adc: [600000, 500000, 25000], t: 5119, p: 80692, h: 32583 },
  { cal: [27132, 26696, -52, 38412, -10968, 2947, 3389, 91, -8, 10614, -12096, 4638, 100, 367, 2, -1, -17, -90], adc: [450000, 350000, 14000], t: 506, p: 101258, h: 84454 },
  { cal: [28242, 26814, -770, 37370, -10932, 3137, 6461, -13, -5, 11185, -11012, 5481, 66, 340, 5, 335, 63, 127], adc: [550000, 250000, 28000], t: 3128, p: 117900, h: 38230 },
  { cal: [27469, 26869, -432, 37571, -11000, 3227, 2562, -119, -8, 13657, -12916, 4128, 34, 377, 2, 293, 6, 26], adc: [380000, 450000, 24000], t: -1908, p: 85541, h: 29132 },
];

/** A BME280's registers as a plain array, laid out per §4.2.2 Table 16 and §5.3. */
function fixture(cal: number[], adc: number[], id = 0x60): I2CBus {
  const r = new Uint8Array(256);
  r[0xd0] = id;
  for (let i = 0; i < 12; i++) {
    r[0x88 + 2 * i] = cal[i]! & 0xff;
    r[0x89 + 2 * i] = (cal[i]! >> 8) & 0xff;
  }
  const [h1, h2, h3, h4, h5, h6] = cal.slice(12) as [number, number, number, number, number, number];
  r[0xa1] = h1;
  r[0xe1] = h2 & 0xff;
  r[0xe2] = (h2 >> 8) & 0xff;
  r[0xe3] = h3;
  r[0xe4] = (h4 >> 4) & 0xff;
  r[0xe5] = (h4 & 0x0f) | ((h5 & 0x0f) << 4);
  r[0xe6] = (h5 >> 4) & 0xff;
  r[0xe7] = h6 & 0xff;
  const [t, p, h] = adc as [number, number, number];
  r.set([p >> 12, (p >> 4) & 0xff, (p & 0x0f) << 4, t >> 12, (t >> 4) & 0xff, (t & 0x0f) << 4, h >> 8, h & 0xff], 0xf7);
  let pointer = 0;
  return {
    write(_address, bytes) {
      pointer = bytes[0]!;
    },
    read(_address, length) {
      const out = r.slice(pointer, pointer + length);
      pointer += length;
      return out;
    },
  };
}

describe("BME280 integer compensation = the datasheet's C code", () => {
  it.each(VECTORS.map((v, i) => [i, v] as const))("vector %i", (_i, v) => {
    const driver = new Bme280({ bus: fixture(v.cal, v.adc) });
    driver.trigger();
    expect(driver.sample()).toEqual({ temperature: v.t / 100, pressure: v.p, humidity: v.h / 1024 });
  });

  it("BMP280 (chip id 0x58): temperature and pressure only", () => {
    const v = VECTORS[0]!;
    const driver = new Bme280({ bus: fixture(v.cal, v.adc, 0x58), chip: "bmp280" });
    driver.trigger();
    expect(driver.sample()).toEqual({ temperature: 25.08, pressure: 100656 });
  });
});

describe("the simulated device's reference maths (double precision, §8.1)", () => {
  it("reproduces the BMP280 datasheet's worked example (§3.12): 25.08 degC, 100653.27 Pa", () => {
    const names = ["T1", "T2", "T3", "P1", "P2", "P3", "P4", "P5", "P6", "P7", "P8", "P9", "H1", "H2", "H3", "H4", "H5", "H6"];
    const c = Object.fromEntries(names.map((n, i) => [n, VECTORS[0]!.cal[i]])) as unknown as Bme280Calibration;
    const t = referenceTemperature(c, 519888);
    expect(t.temperature).toBeCloseTo(25.08, 2);
    expect(t.tFine).toBe(128422);
    expect(referencePressure(c, 415148, t.tFine)).toBeCloseTo(100653.27, 1);
  });
});
