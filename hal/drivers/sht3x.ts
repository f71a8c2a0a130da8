// Sensirion SHT3x (SHT30/31/35) temperature and humidity over I2C: single-shot measurement
// without clock stretching (datasheet §4.3), so the bus is never held while converting.
// The sensor has no chip id; construction reads the status register (§4.11) with its CRC
// to make sure a Sensirion-protocol device answers.
import type { Clock } from "../clock";
import { codedError, errorCode } from "../errors";
import { isI2CAddress, type I2CBus } from "../i2c";
import { crc8Sensirion } from "../crc8";
import type { ClimateSample, Sensor } from "../sensor";
import {
  CMD_MEASURE_HIGH,
  CMD_MEASURE_LOW,
  CMD_MEASURE_MEDIUM,
  CMD_READ_STATUS,
  MEASURE_MAX_MS_HIGH,
  MEASURE_MAX_MS_LOW,
  MEASURE_MAX_MS_MEDIUM,
} from "./sht3x.regs";

export interface Sht3xOptions {
  bus: I2CBus;
  /** 0x44 (default) or 0x45. */
  address?: number;
  /** §2.2 Table 4: "high" (default, 15 ms), "medium" (6 ms), "low" (4 ms). */
  repeatability?: "high" | "medium" | "low";
  /**
   * Optional. With it, a NACK after the maximum measurement time is reported as `nack`
   * (the sensor is gone) instead of `not-ready`: on a software I2C bus a missing sensor
   * cannot be told from a measuring one any other way.
   */
  clock?: Clock;
}

/** Checks the CRC after each 16-bit word (§4.12) and returns the words. */
function words(bytes: Uint8Array, count: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    if (crc8Sensirion(bytes, i * 3, 2) !== bytes[i * 3 + 2]) throw codedError("crc", "sht3x: checksum mismatch");
    out.push((bytes[i * 3]! << 8) | bytes[i * 3 + 1]!);
  }
  return out;
}

export class Sht3x implements Sensor<ClimateSample> {
  bus: I2CBus;
  address: number;
  command: number;
  wait: number;
  clock: Clock | undefined;
  /** A measurement was started and not read yet. */
  pending: boolean;
  started: number;

  constructor(options: Sht3xOptions) {
    const address = options.address ?? 0x44;
    const repeatability = options.repeatability ?? "high";
    const high = repeatability === "high";
    const medium = repeatability === "medium";
    const low = repeatability === "low";
    const command = high ? CMD_MEASURE_HIGH : medium ? CMD_MEASURE_MEDIUM : low ? CMD_MEASURE_LOW : undefined;
    if (!options.bus || (address !== 0x44 && address !== 0x45) || !isI2CAddress(address) || command === undefined) {
      throw codedError("invalid-options", "sht3x: needs bus, address 0x44/0x45, repeatability high/medium/low");
    }
    this.bus = options.bus;
    this.address = address;
    this.command = command;
    this.wait = high ? MEASURE_MAX_MS_HIGH : medium ? MEASURE_MAX_MS_MEDIUM : MEASURE_MAX_MS_LOW;
    this.clock = options.clock;
    this.pending = false;
    this.started = NaN;
    // §4.11: read status = 2 bytes + CRC. A NACK or a bad CRC here fails construction.
    this.bus.write(address, [CMD_READ_STATUS >> 8, CMD_READ_STATUS & 0xff]);
    words(this.bus.read(address, 3), 1);
  }

  trigger(): number {
    this.bus.write(this.address, [this.command >> 8, this.command & 0xff]);
    this.pending = true;
    this.started = this.clock ? this.clock.now() : NaN;
    return this.wait;
  }

  sample(): ClimateSample {
    if (!this.pending) throw codedError("not-ready", "sht3x: no measurement triggered");
    let data: Uint8Array;
    try {
      data = this.bus.read(this.address, 6);
    } catch (error) {
      // §4.4: without clock stretching the sensor NACKs the read header while it measures
      // (and when there is no measurement to read).
      if (errorCode(error) === "nack" && !(this.clock && this.clock.now() - this.started >= this.wait)) throw codedError("not-ready", "sht3x: measuring");
      throw error;
    }
    const w = words(data, 2);
    this.pending = false;
    // §4.13 conversion: T = -45 + 175 * S_T / (2^16 - 1), RH = 100 * S_RH / (2^16 - 1).
    return { temperature: -45 + (175 * w[0]!) / 65535, humidity: (100 * w[1]!) / 65535 };
  }

  close(): void {
    // Single-shot mode idles between measurements (§4.3); nothing to switch off.
    this.pending = false;
  }
}

export function create(options: Sht3xOptions): Sht3x {
  return new Sht3x(options);
}
