// A command-level ASAIR AHT20 (product manual V1.1). Modelled: a plain read returns the
// status byte first (§5.3: bit 7 busy, bit 3 calibrated); a calibration bit clear at
// power-up (an option: most parts power up calibrated) is set by the initialisation
// command 0xBE 0x08 0x00 (§5.3 step 1, 10 ms); the trigger 0xAC 0x33 0x00 (§5.3 step 2)
// with a 75 ms conversion; results in 20-bit fields with a CRC-8 (§5.4) that stay readable
// (and stale) during the next conversion; soft reset 0xBA; 40 ms start-up after a power
// cycle. Anything else, including 0x71 written as a command (0x71 is the READ address byte
// of §5.3, not a command), is NACKed and reported.
// "stale" fault: the conversion never completes (busy stays set).
import type { Clock } from "../../hal/clock";
import { AHT20_ADDRESS, CMD_INITIALIZE, CMD_SOFT_RESET, CMD_TRIGGER, STATUS_BUSY, STATUS_CALIBRATED } from "../../hal/drivers/aht20.regs";
import { sensirionCrc } from "./checksums";
import { SimDevice, hex } from "./device";
import type { SimI2CDevice } from "./i2c-bus";

const CONVERSION_MS = 75;

function same(bytes: Uint8Array, command: number[]): boolean {
  return bytes.length === command.length && command.every((b, i) => bytes[i] === b);
}

export class SimAht20 extends SimDevice implements SimI2CDevice {
  readonly address = AHT20_ADDRESS;
  readonly range = { temperature: [-40, 85], humidity: [0, 100] };
  /** 20-bit results: 200/2^20 = 0.0002 degC, 100/2^20 = 0.0001 %RH per step (§5.4). */
  readonly tolerance = { temperature: 0.001, humidity: 0.001 };
  physical = { temperature: 20, humidity: 50 };
  private calibrated = false;
  /** Whether the calibration bit is set at power-up (most parts); false exercises §5.3 step 1. */
  private calibratedAtPowerOn: boolean;
  private busyUntil = 0;
  private converting: { until: number; temperature: number; humidity: number } | undefined;
  private data = new Uint8Array(5);

  constructor(options: { clock: Clock; calibratedAtPowerOn?: boolean }) {
    super("aht20", options.clock);
    this.calibratedAtPowerOn = options.calibratedAtPowerOn ?? true;
    this.powerOn();
    this.busyUntil = 0; // built already powered up; a return after "gone" waits the start-up time
  }

  setPhysical(values: { temperature?: number; humidity?: number }): void {
    this.physical = Object.assign({}, this.physical, values);
  }

  powerOn(): void {
    this.calibrated = this.calibratedAtPowerOn;
    this.busyUntil = this.clock.now() + 40; // §5.3: at least 40 ms after power-on before the first command
    this.converting = undefined;
    this.data = new Uint8Array(5);
  }

  private update(): void {
    const c = this.converting;
    if (!c || this.stale || this.clock.now() < c.until) return;
    // §5.4 inverted: S_RH = RH / 100 * 2^20, S_T = (T + 50) / 200 * 2^20
    const h = Math.min(0xfffff, Math.round((c.humidity / 100) * 1048576));
    const t = Math.min(0xfffff, Math.round(((c.temperature + 50) / 200) * 1048576));
    this.data = new Uint8Array([h >> 12, (h >> 4) & 0xff, ((h & 0x0f) << 4) | (t >> 16), (t >> 8) & 0xff, t & 0xff]);
    this.converting = undefined;
  }

  write(bytes: Uint8Array): boolean {
    this.update();
    if (this.clock.now() < this.busyUntil) return false;
    if (bytes.length === 0) return true;
    if (this.converting) {
      this.reject("command " + hex(bytes[0]!) + " while measuring");
      return false;
    }
    if (same(bytes, CMD_INITIALIZE)) {
      this.accepted("initialize");
      this.calibrated = true;
      this.busyUntil = this.clock.now() + 10;
    } else if (same(bytes, CMD_TRIGGER)) {
      if (!this.calibrated) {
        this.reject("measurement triggered before initialisation (status bit 3 clear, §5.3 step 1)");
        return false;
      }
      this.accepted("trigger");
      const t = Math.min(85, Math.max(-40, this.physical.temperature));
      const h = Math.min(100, Math.max(0, this.physical.humidity));
      this.converting = { until: this.clock.now() + CONVERSION_MS, temperature: t, humidity: h };
    } else if (bytes.length === 1 && bytes[0] === CMD_SOFT_RESET) {
      this.accepted("soft reset");
      this.powerOn();
      this.calibrated = true; // the calibration is reloaded from OTP by the reset
    } else {
      this.reject("unknown command " + Array.prototype.map.call(bytes, (b: number) => hex(b)).join(" "));
      return false;
    }
    return true;
  }

  read(length: number): Uint8Array | undefined {
    this.update();
    if (this.clock.now() < this.busyUntil) return undefined;
    const status = (this.converting ? STATUS_BUSY : 0) | (this.calibrated ? STATUS_CALIBRATED | 0x10 : 0);
    const frame = [status, this.data[0]!, this.data[1]!, this.data[2]!, this.data[3]!, this.data[4]!];
    frame.push(sensirionCrc(frame) ^ (this.corruptCrc ? 0x01 : 0));
    const out = new Uint8Array(length).fill(0xff);
    for (let i = 0; i < length && i < frame.length; i++) out[i] = frame[i]!;
    return out;
  }
}
