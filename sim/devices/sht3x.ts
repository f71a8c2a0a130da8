// A command-level Sensirion SHT3x-DIS (SHT30/31/35), datasheet version 6/7.
// Modelled: 16-bit commands (§4.3-§4.11), single-shot measurement with the typical
// durations of Table 4, the sensor NACKing its address while it measures or resets
// (§4.4: no clock stretching), a measurement readable ONCE (then NACK until the next),
// status register with CRC (§4.11), heater bit, soft reset (§4.8, 1.5 ms), serial number,
// CRC-8 after every word (§4.12; 0xBE 0xEF -> 0x92), unknown commands NACKed, flagged in the
// status register (bit 1) and reported. Periodic mode (§4.5) and alerts are not modelled:
// their commands are rejected and reported, so a driver that uses them is noticed.
// "stale" fault: the measurement never completes (the sensor keeps NACKing).
import type { Clock } from "../../hal/clock";
import {
  CMD_BREAK,
  CMD_CLEAR_STATUS,
  CMD_HEATER_OFF,
  CMD_HEATER_ON,
  CMD_MEASURE_HIGH,
  CMD_MEASURE_LOW,
  CMD_MEASURE_MEDIUM,
  CMD_MEASURE_STRETCH_HIGH,
  CMD_MEASURE_STRETCH_LOW,
  CMD_MEASURE_STRETCH_MEDIUM,
  CMD_READ_STATUS,
  CMD_SOFT_RESET,
  STATUS_COMMAND_FAILED,
  STATUS_HEATER,
  STATUS_RESET_DETECTED,
} from "../../hal/drivers/sht3x.regs";
import { sensirionCrc } from "./checksums";
import { SimDevice, hex } from "./device";
import type { SimI2CDevice } from "./i2c-bus";
import { Random } from "./random";

/** Table 4 typical durations, ms. */
const TYPICAL_MS: Record<number, number> = {
  [CMD_MEASURE_HIGH]: 12.5, [CMD_MEASURE_MEDIUM]: 4.5, [CMD_MEASURE_LOW]: 2.5,
  [CMD_MEASURE_STRETCH_HIGH]: 12.5, [CMD_MEASURE_STRETCH_MEDIUM]: 4.5, [CMD_MEASURE_STRETCH_LOW]: 2.5,
};
const CMD_READ_SERIAL = 0x3780;

export class SimSht3x extends SimDevice implements SimI2CDevice {
  readonly address: number;
  readonly range = { temperature: [-40, 125], humidity: [0, 100] };
  /** 16-bit results: 175/65535 = 0.0027 degC and 100/65535 = 0.0015 %RH per step (§4.13). */
  readonly tolerance = { temperature: 0.005, humidity: 0.005 };
  physical = { temperature: 20, humidity: 50 };
  private status = 0;
  private busyUntil = 0;
  private measurement: { until: number; temperature: number; humidity: number } | undefined;
  /** Bytes the next read returns (status, serial), or undefined. */
  private reply: number[] | undefined;
  private serial: number;

  constructor(options: { clock: Clock; address?: number; seed?: number }) {
    super("sht3x", options.clock);
    this.address = options.address ?? 0x44;
    this.serial = new Random(options.seed ?? 1).int(0, 0xffffffff);
    this.powerOn();
    this.busyUntil = 0; // built already powered up; a return after "gone" waits the start-up time
  }

  setPhysical(values: { temperature?: number; humidity?: number }): void {
    this.physical = Object.assign({}, this.physical, values);
  }

  powerOn(): void {
    this.status = STATUS_RESET_DETECTED; // §4.11 bit 4 after power-up
    this.busyUntil = this.clock.now() + 1; // §2.2 Table 4: power-up time 1 ms typical
    this.measurement = undefined;
    this.reply = undefined;
  }

  private busy(): boolean {
    const now = this.clock.now();
    return now < this.busyUntil || (!!this.measurement && (this.stale || now < this.measurement.until));
  }

  write(bytes: Uint8Array): boolean {
    if (this.busy()) return false; // §4.4: no ACK while measuring
    if (bytes.length === 0) return true;
    if (bytes.length !== 2) {
      this.fail("command of " + bytes.length + " bytes (every command is 16 bits)");
      return false;
    }
    const command = (bytes[0]! << 8) | bytes[1]!;
    this.reply = undefined;
    if (TYPICAL_MS[command] !== undefined) {
      this.accepted("measure " + hex(command, 4));
      const t = Math.min(125, Math.max(-40, this.physical.temperature));
      const h = Math.min(100, Math.max(0, this.physical.humidity));
      this.measurement = { until: this.clock.now() + TYPICAL_MS[command]!, temperature: t, humidity: h };
    } else if (command === CMD_READ_STATUS) {
      this.reply = this.words([this.status]);
    } else if (command === CMD_READ_SERIAL) {
      this.reply = this.words([this.serial >>> 16, this.serial & 0xffff]);
    } else if (command === CMD_CLEAR_STATUS) {
      this.accepted("clear status");
      this.status &= STATUS_HEATER;
    } else if (command === CMD_HEATER_ON || command === CMD_HEATER_OFF) {
      this.accepted(command === CMD_HEATER_ON ? "heater on" : "heater off");
      this.status = command === CMD_HEATER_ON ? this.status | STATUS_HEATER : this.status & ~STATUS_HEATER;
    } else if (command === CMD_SOFT_RESET) {
      this.accepted("soft reset");
      this.powerOn();
      this.busyUntil = this.clock.now() + 1.5; // §2.2 Table 4 soft reset time
    } else if (command === CMD_BREAK) {
      this.accepted("break");
    } else {
      this.fail("unknown or unmodelled command " + hex(command, 4));
      return false;
    }
    this.status &= ~STATUS_COMMAND_FAILED;
    return true;
  }

  read(length: number): Uint8Array | undefined {
    if (this.busy()) return undefined;
    let data = this.reply;
    this.reply = undefined;
    if (!data && this.measurement) {
      // §4.13 inverted: S_T = (T + 45) * 65535 / 175, S_RH = RH * 65535 / 100
      const m = this.measurement;
      data = this.words([Math.round(((m.temperature + 45) * 65535) / 175), Math.round((m.humidity * 65535) / 100)]);
      this.measurement = undefined; // readable once
    }
    if (!data) return undefined; // §4.4: nothing to read -> NACK
    const out = new Uint8Array(length).fill(0xff);
    for (let i = 0; i < length && i < data.length; i++) out[i] = data[i]!;
    return out;
  }

  private words(values: number[]): number[] {
    const out: number[] = [];
    values.forEach((v) => {
      const pair = [(v >> 8) & 0xff, v & 0xff];
      out.push(pair[0]!, pair[1]!, sensirionCrc(pair) ^ (this.corruptCrc ? 0x01 : 0));
    });
    return out;
  }

  private fail(what: string): void {
    this.status |= STATUS_COMMAND_FAILED;
    this.reject(what);
  }
}
