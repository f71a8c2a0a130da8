// A register-level Bosch BME280 / BMP280 (datasheet BST-BME280-DS002; BMP280 BST-BMP280-DS001).
// It imports the register map, never the driver's maths: physical values become raw ADC
// values by inverting the datasheet's DOUBLE-precision reference formulas (§8.1), while the
// driver uses the integer ones (§4.2.3, §8.2). A wrong driver formula cannot agree by accident.
//
// Modelled: chip id, the trimming block (seeded, realistic, with negative coefficients),
// the register pointer (persists across transactions, auto-increments on reads, §6.2.2),
// register/data pair writes (§6.2.1), forced mode with the typical measurement time (§9.1),
// measuring/mode bits, data shadowing (reads during a conversion return the previous
// result), oversampling-dependent resolution (§3.4.1: 16 + osrs - 1 bits without the IIR
// filter, 20 bits with it), the IIR filter (§3.4.4), ctrl_hum taking effect on the next
// ctrl_meas write (§5.4.3), soft reset (§5.4.2), reset values (§5.4). Writes to registers
// that are read-only or absent are ignored by the part and reported in `rejected`.
// Normal mode repeats conversions every measurement + standby time (§3.3.4).
// "stale" fault: conversions stop completing (measuring stays set, results keep the previous
// conversion). There is no CRC on this part: the "crc" fault does nothing.
import type { Clock } from "../../hal/clock";
import {
  BME280_CHIP_ID,
  BMP280_CHIP_ID,
  REG_CALIB_00,
  REG_CALIB_26,
  REG_CHIP_ID,
  REG_CONFIG,
  REG_CTRL_HUM,
  REG_CTRL_MEAS,
  REG_PRESS_MSB,
  REG_RESET,
  REG_STATUS,
  RESET_WORD,
  STATUS_MEASURING,
} from "../../hal/drivers/bme280.regs";
import { SimDevice, hex } from "./device";
import type { SimI2CDevice } from "./i2c-bus";
import { Random } from "./random";

export interface Bme280Calibration {
  T1: number; T2: number; T3: number;
  P1: number; P2: number; P3: number; P4: number; P5: number; P6: number; P7: number; P8: number; P9: number;
  H1: number; H2: number; H3: number; H4: number; H5: number; H6: number;
}

/**
 * A trimming block as real parts have them (ranges from the datasheet's example values and
 * published dumps of real chips): T3, P2, P6, P8 are negative on every part; H5 and H6 come
 * out negative for some seeds so the signed 12/8-bit fields are exercised.
 */
export function generateCalibration(seed: number): Bme280Calibration {
  const r = new Random(seed);
  return {
    T1: r.int(27000, 28800), T2: r.int(25500, 27200), T3: r.int(-1000, 50),
    P1: r.int(35500, 38500), P2: r.int(-11000, -10200), P3: r.int(2900, 3300), P4: r.int(2500, 8000),
    P5: r.int(-150, 150), P6: r.int(-9, -5), P7: r.int(9900, 15500), P8: r.int(-14600, -10000), P9: r.int(4000, 6000),
    H1: r.int(0, 100), H2: r.int(340, 390), H3: r.int(0, 10), H4: r.int(280, 350), H5: r.int(-40, 60), H6: r.int(-20, 40),
  };
}

/** §8.1 BME280_compensate_T_double; also returns t_fine. */
export function referenceTemperature(c: Bme280Calibration, adcT: number): { temperature: number; tFine: number } {
  const var1 = (adcT / 16384 - c.T1 / 1024) * c.T2;
  const var2 = (adcT / 131072 - c.T1 / 8192) * (adcT / 131072 - c.T1 / 8192) * c.T3;
  return { temperature: (var1 + var2) / 5120, tFine: Math.trunc(var1 + var2) };
}

/** §8.1 BME280_compensate_P_double, in Pa. */
export function referencePressure(c: Bme280Calibration, adcP: number, tFine: number): number {
  let var1 = tFine / 2 - 64000;
  let var2 = (var1 * var1 * c.P6) / 32768;
  var2 = var2 + var1 * c.P5 * 2;
  var2 = var2 / 4 + c.P4 * 65536;
  var1 = ((c.P3 * var1 * var1) / 524288 + c.P2 * var1) / 524288;
  var1 = (1 + var1 / 32768) * c.P1;
  if (var1 === 0) return 0;
  let p = 1048576 - adcP;
  p = ((p - var2 / 4096) * 6250) / var1;
  var1 = (c.P9 * p * p) / 2147483648;
  var2 = (p * c.P8) / 32768;
  return p + (var1 + var2 + c.P7) / 16;
}

/** §8.1 bme280_compensate_H_double, WITHOUT the final clamp to 0..100 (used for inversion). */
export function referenceHumidity(c: Bme280Calibration, adcH: number, tFine: number): number {
  let h = tFine - 76800;
  h = (adcH - (c.H4 * 64 + (c.H5 / 16384) * h)) * ((c.H2 / 65536) * (1 + (c.H6 / 67108864) * h * (1 + (c.H3 / 67108864) * h)));
  return h * (1 - (c.H1 * h) / 524288);
}

/**
 * The raw value (a multiple of `step`, below 2^bits) whose reference output is nearest to
 * `target`, by bisection: every formula above is monotonic in its ADC value.
 */
function invert(f: (raw: number) => number, target: number, bits: number, step: number): number {
  let lo = 0;
  let hi = Math.floor((2 ** bits - 1) / step);
  const increasing = f(hi * step) > f(0);
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const value = f(mid * step);
    if (increasing ? value >= target : value <= target) hi = mid;
    else lo = mid + 1;
  }
  if (lo > 0 && Math.abs(f((lo - 1) * step) - target) <= Math.abs(f(lo * step) - target)) lo--;
  return lo * step;
}

const MULTIPLIER = [0, 1, 2, 4, 8, 16, 16, 16]; // §5.4.3/5.4.5 oversampling codes
const FILTER = [1, 2, 4, 8, 16, 16, 16, 16]; // §5.4.6 Table 28 (1 = off)
const STANDBY_MS = [0.5, 62.5, 125, 250, 500, 1000, 10, 20]; // §5.4.6 Table 27 t_sb (BME280)

export interface Physical {
  temperature: number;
  pressure: number;
  humidity: number;
}

export class SimBme280 extends SimDevice implements SimI2CDevice {
  readonly address: number;
  readonly chip: "bme280" | "bmp280";
  readonly calibration: Bme280Calibration;
  /** Physical range of the part (§1 "Operating range"). */
  readonly range = { temperature: [-40, 85], pressure: [30000, 110000], humidity: [0, 100] };
  /**
   * Round-trip tolerance at the driver's default settings (oversampling x1, filter off):
   * ADC resolution 0.005 degC / 2.6 Pa / 0.008 %RH (§3.4.1, 16-bit) plus the integer
   * formulas' output steps (0.01 degC, 1 Pa, 1/1024 %RH) and their truncation vs. §8.1.
   * The 32-bit pressure formula (§8.2) alone is up to ~5 Pa from the double one (datasheet
   * example: 100656 vs 100653.27 Pa), hence 7 Pa; the part itself is +-100 Pa absolute.
   */
  readonly tolerance = { temperature: 0.02, pressure: 7, humidity: 0.05 };
  physical: Physical = { temperature: 20, pressure: 101325, humidity: 50 };
  private registers = new Uint8Array(256);
  private pointer = 0;
  private humidityControl = 0; // ctrl_hum as last applied by a ctrl_meas write
  private conversionDone = Infinity;
  private conversionInput: Physical | undefined;
  private filtered: { t: number; p: number } | undefined;

  /** What the id register reads (§5.4.1); another value makes a stand-in for another chip. */
  readonly chipId: number;

  constructor(options: { clock: Clock; address?: number; chip?: "bme280" | "bmp280"; chipId?: number; seed?: number; calibration?: Partial<Bme280Calibration> }) {
    super(options.chip ?? "bme280", options.clock);
    this.chipId = options.chipId ?? (options.chip === "bmp280" ? BMP280_CHIP_ID : BME280_CHIP_ID);
    this.address = options.address ?? 0x76;
    this.chip = options.chip ?? "bme280";
    this.calibration = Object.assign(generateCalibration(options.seed ?? 1), options.calibration ?? {});
    this.powerOn();
  }

  /**
   * The humidity range this part's trimming can express at `temperature` (16-bit ADC),
   * within 0..100 %RH: with unusual coefficients the ends of the scale are out of reach.
   */
  reachableHumidity(temperature: number): [number, number] {
    const c = this.calibration;
    const adcT = invert((raw) => referenceTemperature(c, raw).temperature, temperature, 20, 1);
    const tFine = referenceTemperature(c, adcT).tFine;
    const low = referenceHumidity(c, 0, tFine);
    const high = referenceHumidity(c, 65535, tFine);
    return [Math.max(0, Math.min(low, high)), Math.min(100, Math.max(low, high))];
  }

  setPhysical(values: Partial<Physical>): void {
    this.physical = Object.assign({}, this.physical, values);
  }

  powerOn(): void {
    const r = this.registers;
    r.fill(0);
    r[REG_CHIP_ID] = this.chipId;
    const c = this.calibration;
    // §4.2.2 Table 16 layout.
    const words = [c.T1, c.T2, c.T3, c.P1, c.P2, c.P3, c.P4, c.P5, c.P6, c.P7, c.P8, c.P9];
    words.forEach((w, i) => {
      r[REG_CALIB_00 + i * 2] = w & 0xff;
      r[REG_CALIB_00 + i * 2 + 1] = (w >> 8) & 0xff;
    });
    if (this.chip === "bme280") {
      r[0xa1] = c.H1 & 0xff;
      r[REG_CALIB_26] = c.H2 & 0xff;
      r[REG_CALIB_26 + 1] = (c.H2 >> 8) & 0xff;
      r[REG_CALIB_26 + 2] = c.H3 & 0xff;
      r[0xe4] = (c.H4 >> 4) & 0xff; // H4[11:4]
      r[0xe5] = (c.H4 & 0x0f) | ((c.H5 & 0x0f) << 4); // H4[3:0] | H5[3:0] << 4
      r[0xe6] = (c.H5 >> 4) & 0xff; // H5[11:4]
      r[0xe7] = c.H6 & 0xff;
      r[0xfd] = 0x80; // §5.4.9 hum reset value 0x8000
    }
    r[REG_PRESS_MSB] = 0x80; // §5.4.7 press reset value 0x80000
    r[0xfa] = 0x80; // §5.4.8 temp reset value 0x80000
    this.pointer = 0;
    this.humidityControl = 0;
    this.conversionDone = Infinity;
    this.conversionInput = undefined;
    this.filtered = undefined;
  }

  write(bytes: Uint8Array): boolean {
    this.update();
    if (bytes.length === 0) return true;
    // §6.2.1: pairs of register address and data; a lone address just sets the pointer.
    for (let i = 0; i < bytes.length; i += 2) {
      this.pointer = bytes[i]!;
      if (i + 1 < bytes.length) this.writeRegister(bytes[i]!, bytes[i + 1]!);
    }
    return true;
  }

  read(length: number): Uint8Array {
    this.update();
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i++) {
      out[i] = this.registers[this.pointer]!;
      this.pointer = (this.pointer + 1) & 0xff; // §6.2.2 auto-increment
    }
    return out;
  }

  private writeRegister(register: number, value: number): void {
    const r = this.registers;
    if (register === REG_RESET) {
      if (value === RESET_WORD) {
        this.accepted("reset");
        this.powerOn();
      } else this.reject("reset register written with " + hex(value) + " (only 0xB6 resets, §5.4.2)");
    } else if (register === REG_CTRL_HUM && this.chip === "bme280") {
      this.accepted("ctrl_hum=" + hex(value));
      r[REG_CTRL_HUM] = value & 0x07;
    } else if (register === REG_CONFIG) {
      this.accepted("config=" + hex(value));
      r[REG_CONFIG] = value & 0xfd;
    } else if (register === REG_CTRL_MEAS) {
      this.accepted("ctrl_meas=" + hex(value));
      r[REG_CTRL_MEAS] = value;
      this.humidityControl = r[REG_CTRL_HUM]!; // §5.4.3
      const mode = value & 3;
      if (mode === 1 || mode === 2 || mode === 3) this.startConversion();
      else this.conversionDone = Infinity;
    } else {
      this.reject("write to " + (register === REG_CTRL_HUM ? "ctrl_hum, which a BMP280 does not have" : "read-only or absent register " + hex(register)));
    }
  }

  /** §9.1 typical measurement time, ms. */
  private measurementTime(): number {
    const meas = this.registers[REG_CTRL_MEAS]!;
    const t = MULTIPLIER[meas >> 5]!;
    const p = MULTIPLIER[(meas >> 2) & 7]!;
    const h = this.chip === "bme280" ? MULTIPLIER[this.humidityControl & 7]! : 0;
    return 1 + 2 * t + (p ? 2 * p + 0.5 : 0) + (h ? 2 * h + 0.5 : 0);
  }

  private startConversion(): void {
    this.conversionInput = Object.assign({}, this.physical);
    this.conversionDone = this.clock.now() + this.measurementTime();
    this.registers[REG_STATUS] = STATUS_MEASURING;
  }

  /** Completes a due conversion (lazily, at the next transaction). */
  private update(): void {
    const r = this.registers;
    if (this.stale || this.clock.now() < this.conversionDone || !this.conversionInput) return;
    this.writeResults(this.conversionInput);
    r[REG_STATUS] = 0;
    if ((r[REG_CTRL_MEAS]! & 3) === 3) {
      // normal mode: the next conversion after the standby time (§3.3.4)
      this.conversionDone = this.clock.now() + STANDBY_MS[r[REG_CONFIG]! >> 5]! + this.measurementTime();
      this.conversionInput = Object.assign({}, this.physical);
    } else {
      r[REG_CTRL_MEAS] = r[REG_CTRL_MEAS]! & 0xfc; // forced mode ends in sleep (§3.3.3)
      this.conversionDone = Infinity;
      this.conversionInput = undefined;
    }
  }

  private writeResults(input: Physical): void {
    const r = this.registers;
    const c = this.calibration;
    const meas = r[REG_CTRL_MEAS]!;
    const coefficient = FILTER[(r[REG_CONFIG]! >> 2) & 7]!;
    // §3.4.1: 16 + (osrs - 1) bits without the filter, 20 bits with it.
    const step = (osrs: number) => (coefficient > 1 ? 1 : 16 >> (Math.log2(osrs) | 0));
    const osrsT = MULTIPLIER[meas >> 5]!;
    const osrsP = MULTIPLIER[(meas >> 2) & 7]!;
    const osrsH = this.chip === "bme280" ? MULTIPLIER[this.humidityControl & 7]! : 0;
    const clampT = Math.min(85, Math.max(-40, input.temperature));
    let adcT = osrsT ? invert((raw) => referenceTemperature(c, raw).temperature, clampT, 20, step(osrsT)) : 0x80000;
    let adcP = 0x80000;
    const tFine = referenceTemperature(c, osrsT ? adcT : 0x80000).tFine;
    if (osrsP) adcP = invert((raw) => referencePressure(c, raw, tFine), Math.min(110000, Math.max(30000, input.pressure)), 20, step(osrsP));
    if (coefficient > 1 && osrsT) {
      // §3.4.4: x_filt = (x_filt_prev * (c - 1) + x) / c, on the ADC values
      const prev = this.filtered ?? { t: adcT, p: adcP };
      adcT = Math.round((prev.t * (coefficient - 1) + adcT) / coefficient);
      if (osrsP) adcP = Math.round((prev.p * (coefficient - 1) + adcP) / coefficient);
      this.filtered = { t: adcT, p: adcP };
    }
    r[0xf7] = adcP >> 12;
    r[0xf8] = (adcP >> 4) & 0xff;
    r[0xf9] = (adcP & 0x0f) << 4;
    r[0xfa] = adcT >> 12;
    r[0xfb] = (adcT >> 4) & 0xff;
    r[0xfc] = (adcT & 0x0f) << 4;
    if (this.chip === "bme280") {
      const adcH = osrsH ? invert((raw) => referenceHumidity(c, raw, tFine), Math.min(100, Math.max(0, input.humidity)), 16, 1) : 0x8000;
      r[0xfd] = adcH >> 8;
      r[0xfe] = adcH & 0xff;
    }
  }
}
