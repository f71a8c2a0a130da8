// Bosch BME280 (temperature, pressure, humidity) and BMP280 (no humidity) over I2C, in
// forced mode: trigger() starts one conversion, the chip goes back to sleep by itself
// (datasheet §3.3.3). This is the "weather monitoring" setting of §3.5.1.
// Compensation is the vendor's integer code: §4.2.3 for temperature and humidity, §8.2
// (32-bit fixed point) for pressure, because the int64 version of §4.2.3 does not fit a
// double exactly and Espruino has no 64-bit integers.
import { codedError } from "../errors";
import { isI2CAddress, readRegisters, type I2CBus } from "../i2c";
import type { ClimateSample, Sensor } from "../sensor";
import {
  BME280_CHIP_ID,
  BMP280_CHIP_ID,
  CALIB_00_LENGTH,
  CALIB_26_LENGTH,
  FILTER_CODES,
  MODE_FORCED,
  OVERSAMPLING_CODES,
  REG_CALIB_00,
  REG_CALIB_26,
  REG_CHIP_ID,
  REG_CONFIG,
  REG_CTRL_HUM,
  REG_CTRL_MEAS,
  REG_STATUS,
  SKIPPED_20BIT,
  STATUS_MEASURING,
} from "./bme280.regs";

export interface Bme280Options {
  bus: I2CBus;
  /** 0x76 (default) or 0x77. */
  address?: number;
  /** The chip expected at the address (default "bme280"): the other one is `wrong-chip`. */
  chip?: "bme280" | "bmp280";
  /** Oversampling for every channel: 1 (default), 2, 4, 8 or 16 (§3.4, Tables 20/23/24). */
  oversampling?: number;
  /** IIR filter coefficient: 0 (off, default), 2, 4, 8, 16 (§3.4.4). */
  filter?: number;
}

function u16(b: Uint8Array, i: number): number {
  return b[i]! | (b[i + 1]! << 8);
}

function s16(b: Uint8Array, i: number): number {
  return (u16(b, i) << 16) >> 16;
}

export class Bme280 implements Sensor<ClimateSample> {
  bus: I2CBus;
  address: number;
  humidity: boolean;
  /** dig_T1..T3, dig_P1..P9, dig_H1..H6 in that order (§4.2.2 Table 16). */
  calibration: Int32Array;
  /** The three control registers written by trigger(): config, ctrl_hum, ctrl_meas. */
  control: number[];
  wait: number;
  triggered: boolean;

  constructor(options: Bme280Options) {
    const address = options.address ?? 0x76;
    const chip = options.chip ?? "bme280";
    const oversampling = OVERSAMPLING_CODES[options.oversampling ?? 1];
    const filter = FILTER_CODES[options.filter ?? 0];
    if (!options.bus || (address !== 0x76 && address !== 0x77) || !isI2CAddress(address) || (chip !== "bme280" && chip !== "bmp280") || oversampling === undefined || filter === undefined) {
      throw codedError("invalid-options", "bme280: needs bus, address 0x76/0x77, chip bme280/bmp280, oversampling 1/2/4/8/16, filter 0/2/4/8/16");
    }
    this.bus = options.bus;
    this.address = address;
    this.humidity = chip === "bme280";
    this.triggered = false;
    // §5.4.1: the id register tells the BME280 (0x60) from the BMP280 (0x58).
    const id = readRegisters(this.bus, address, REG_CHIP_ID, 1)[0];
    if (id !== (this.humidity ? BME280_CHIP_ID : BMP280_CHIP_ID)) {
      throw codedError("wrong-chip", "bme280: chip id 0x" + (id ?? 0).toString(16) + " is not a " + chip);
    }
    // §4.2.2 Table 16: little-endian words; dig_T1 and dig_P1 unsigned, the rest signed.
    const a = readRegisters(this.bus, address, REG_CALIB_00, CALIB_00_LENGTH);
    const c = new Int32Array(18);
    c[0] = u16(a, 0);
    for (let i = 1; i < 12; i++) c[i] = i === 3 ? u16(a, 6) : s16(a, i * 2);
    if (this.humidity) {
      const h = readRegisters(this.bus, address, REG_CALIB_26, CALIB_26_LENGTH);
      c[12] = a[25]!; // dig_H1 0xA1, unsigned char
      c[13] = s16(h, 0); // dig_H2 0xE1/0xE2, signed short
      c[14] = h[2]!; // dig_H3 0xE3, unsigned char
      // dig_H4 = 0xE4[11:4] | 0xE5[3:0], dig_H5 = 0xE6[11:4] | 0xE5[7:4]: signed 12-bit,
      // so sign-extend from bit 11 (the high byte is signed, §4.2.2 Table 16).
      c[15] = (((h[3]! << 4) | (h[4]! & 0x0f)) << 20) >> 20;
      c[16] = (((h[5]! << 4) | (h[4]! >> 4)) << 20) >> 20;
      c[17] = (h[6]! << 24) >> 24; // dig_H6 0xE7, signed char
    }
    // A zero dig_T1/dig_P1 means we read a blank block (the pressure formula divides by it).
    if (c[0] === 0 || c[3] === 0) throw codedError("bus", "bme280: calibration block reads as zero");
    this.calibration = c;
    // §5.4.6 config: filter[4:2]; §5.4.3 ctrl_hum: osrs_h[2:0]; §5.4.5 ctrl_meas:
    // osrs_t[7:5] osrs_p[4:2] mode[1:0].
    this.control = [filter << 2, oversampling, (oversampling << 5) | (oversampling << 2) | MODE_FORCED];
    // §9.1 (Appendix B) maximum measurement time:
    // 1.25 + 2.3*osrs_t + (2.3*osrs_p + 0.575) + (2.3*osrs_h + 0.575) ms.
    const factor = options.oversampling ?? 1;
    this.wait = Math.ceil(1.25 + 2.3 * factor + 2.3 * factor + 0.575 + (this.humidity ? 2.3 * factor + 0.575 : 0));
  }

  trigger(): number {
    const k = this.control;
    // §6.2.1: one write of register/data pairs. config and ctrl_hum are rewritten every
    // time because a power cycle resets them; ctrl_hum only takes effect with the ctrl_meas
    // write that follows it (§5.4.3). The BMP280 has no ctrl_hum.
    this.bus.write(this.address, this.humidity ? [REG_CONFIG, k[0]!, REG_CTRL_HUM, k[1]!, REG_CTRL_MEAS, k[2]!] : [REG_CONFIG, k[0]!, REG_CTRL_MEAS, k[2]!]);
    this.triggered = true;
    return this.wait;
  }

  sample(): ClimateSample {
    if (!this.triggered) throw codedError("not-ready", "bme280: no conversion triggered");
    // One burst from status (0xF3) to hum_lsb (0xFE): status and data come from the same
    // read, and the data registers are shadowed during the burst (§4 data readout).
    const d = readRegisters(this.bus, this.address, REG_STATUS, this.humidity ? 12 : 10);
    // measuring[3] while converting (§5.4.4); mode still "forced" in ctrl_meas until the
    // conversion has started and finished (§3.3.3).
    if (d[0]! & STATUS_MEASURING || (d[1]! & 3) === MODE_FORCED) throw codedError("not-ready", "bme280: measuring");
    const adcP = (d[4]! << 12) | (d[5]! << 4) | (d[6]! >> 4);
    const adcT = (d[7]! << 12) | (d[8]! << 4) | (d[9]! >> 4);
    const adcH = this.humidity ? (d[10]! << 8) | d[11]! : 0;
    // 0x80000 in both is the reset value (§5.4.7, §5.4.8): no conversion since power-on.
    // (Either alone can be a real reading, so only both together count.)
    if (adcT === SKIPPED_20BIT && adcP === SKIPPED_20BIT) throw codedError("not-ready", "bme280: no conversion since reset");
    const c = this.calibration;
    // §4.2.3 BME280_compensate_T_int32: resolution 0.01 degC; t_fine feeds P and H.
    let var1 = (((adcT >> 3) - (c[0]! << 1)) * c[1]!) >> 11;
    let var2 = (((((adcT >> 4) - c[0]!) * ((adcT >> 4) - c[0]!)) >> 12) * c[2]!) >> 14;
    const tFine = var1 + var2;
    const result: ClimateSample = { temperature: ((tFine * 5 + 128) >> 8) / 100 };
    // §8.2 BME280_compensate_P_int32: pressure in Pa. Unsigned 32-bit steps use >>> 0.
    var1 = (tFine >> 1) - 64000;
    var2 = ((((var1 >> 2) * (var1 >> 2)) >> 11) * c[8]!) | 0;
    var2 = var2 + ((var1 * c[7]!) << 1);
    var2 = (var2 >> 2) + (c[6]! << 16);
    var1 = (((c[5]! * (((var1 >> 2) * (var1 >> 2)) >> 13)) >> 3) + ((c[4]! * var1) >> 1)) >> 18;
    var1 = ((32768 + var1) * c[3]!) >> 15;
    if (var1 === 0) throw codedError("bus", "bme280: pressure calibration gives zero");
    let p = ((((1048576 - adcP) - (var2 >> 12)) >>> 0) * 3125) >>> 0;
    p = p < 0x80000000 ? Math.floor((p * 2) / (var1 >>> 0)) >>> 0 : Math.floor(p / (var1 >>> 0)) * 2;
    var1 = (c[11]! * (((p >>> 3) * (p >>> 3)) >> 13)) >> 12;
    var2 = ((p >>> 2) * c[10]!) >> 13;
    result.pressure = (p + ((var1 + var2 + c[9]!) >> 4)) >>> 0;
    if (this.humidity) {
      // §4.2.3 bme280_compensate_H_int32: Q22.10 %RH. `| 0` keeps C's int32 storage.
      let v = tFine - 76800;
      v = ((((adcH << 14) - (c[15]! << 20) - c[16]! * v + 16384) >> 15) * (((((((v * c[17]!) >> 10) * (((v * c[14]!) >> 11) + 32768)) >> 10) + 2097152) * c[13]! + 8192) >> 14)) | 0;
      v = v - ((((((v >> 15) * (v >> 15)) >> 7) * c[12]!) >> 4) | 0);
      v = v < 0 ? 0 : v > 419430400 ? 419430400 : v;
      result.humidity = (v >> 12) / 1024;
    }
    this.triggered = false;
    return result;
  }

  close(): void {
    // Forced mode already sleeps between conversions (§3.3.3); nothing to switch off.
    this.triggered = false;
  }
}

export function create(options: Bme280Options): Bme280 {
  return new Bme280(options);
}
