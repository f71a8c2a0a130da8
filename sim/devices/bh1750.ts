// An instruction-level ROHM BH1750FVI (datasheet 2011.11 Rev.D). Modelled: one opcode per
// write (p.7), power down / power on, reset of the data register (accepted only when
// powered on, p.5), continuous and one-time modes (one-time powers down afterwards), the
// MTreg in two halves (p.11) scaling sensitivity and time, typical measurement times
// (120 ms H-resolution, 16 ms L-resolution at MTreg 69, p.2), counts = lx * 1.2 * MTreg/69
// (x2 in H-resolution mode 2), saturation at 65535. There is no busy flag: a read during a
// measurement returns the data register as it is. Unknown opcodes are NACKed and reported.
// "stale" fault: measurements never complete (the data register is not updated).
// No CRC on this part: the "crc" fault does nothing.
import type { Clock } from "../../hal/clock";
import {
  COUNTS_PER_LUX,
  MEASURE_TYPICAL_MS,
  MTREG_DEFAULT,
  OP_CONTINUOUS_HIGH,
  OP_CONTINUOUS_HIGH2,
  OP_CONTINUOUS_LOW,
  OP_MTREG_HIGH,
  OP_MTREG_LOW,
  OP_ONE_TIME_HIGH,
  OP_ONE_TIME_HIGH2,
  OP_ONE_TIME_LOW,
  OP_POWER_DOWN,
  OP_POWER_ON,
  OP_RESET,
} from "../../hal/drivers/bh1750.regs";
import { SimDevice, hex } from "./device";
import type { SimI2CDevice } from "./i2c-bus";

const MODES: Record<number, { mode: "high" | "high2" | "low"; oneTime: boolean }> = {
  [OP_CONTINUOUS_HIGH]: { mode: "high", oneTime: false },
  [OP_CONTINUOUS_HIGH2]: { mode: "high2", oneTime: false },
  [OP_CONTINUOUS_LOW]: { mode: "low", oneTime: false },
  [OP_ONE_TIME_HIGH]: { mode: "high", oneTime: true },
  [OP_ONE_TIME_HIGH2]: { mode: "high2", oneTime: true },
  [OP_ONE_TIME_LOW]: { mode: "low", oneTime: true },
};

export class SimBh1750 extends SimDevice implements SimI2CDevice {
  readonly address: number;
  /** 0 .. saturation at the default MTreg in H-resolution mode: 65535 / 1.2 lx. */
  readonly range = { illuminance: [0, 54612] };
  /** Half a count: 0.42 lx in H-resolution mode at MTreg 69 (p.2: 1 lx resolution). */
  readonly tolerance = { illuminance: 0.5 };
  physical = { illuminance: 100 };
  private powered = false;
  private mtreg = MTREG_DEFAULT;
  private data = 0;
  private measuring: { until: number; mode: "high" | "high2" | "low"; oneTime: boolean; lux: number } | undefined;

  constructor(options: { clock: Clock; address?: number }) {
    super("bh1750", options.clock);
    this.address = options.address ?? 0x23;
    this.powerOn();
  }

  setPhysical(values: { illuminance?: number }): void {
    this.physical = Object.assign({}, this.physical, values);
  }

  /** Power-up state: Power Down, MTreg 69, data register 0. */
  powerOn(): void {
    this.powered = false;
    this.mtreg = MTREG_DEFAULT;
    this.data = 0;
    this.measuring = undefined;
  }

  private counts(lux: number, mode: "high" | "high2" | "low"): number {
    const exact = lux * COUNTS_PER_LUX * (this.mtreg / MTREG_DEFAULT) * (mode === "high2" ? 2 : 1);
    // L-resolution: 4 lx steps (p.5)
    const counts = mode === "low" ? Math.round(exact / (4 * COUNTS_PER_LUX)) * 4 * COUNTS_PER_LUX : exact;
    return Math.min(65535, Math.max(0, Math.round(counts)));
  }

  private update(): void {
    const m = this.measuring;
    if (!m || this.stale || this.clock.now() < m.until) return;
    this.data = this.counts(m.lux, m.mode);
    if (m.oneTime) {
      this.measuring = undefined;
      this.powered = false; // p.5: one-time modes power down afterwards
    } else {
      this.measuring = Object.assign({}, m, { until: this.clock.now() + this.time(m.mode), lux: this.physical.illuminance });
    }
  }

  private time(mode: "high" | "high2" | "low"): number {
    return (MEASURE_TYPICAL_MS[mode]! * this.mtreg) / MTREG_DEFAULT;
  }

  write(bytes: Uint8Array): boolean {
    this.update();
    if (bytes.length === 0) return true;
    if (bytes.length !== 1) {
      this.reject(bytes.length + "-byte write (every instruction is one byte, p.7)");
      return false;
    }
    const op = bytes[0]!;
    const mode = MODES[op];
    if (op === OP_POWER_DOWN) {
      this.accepted("power down");
      this.powered = false;
      this.measuring = undefined;
    } else if (op === OP_POWER_ON) {
      this.accepted("power on");
      this.powered = true;
    } else if (op === OP_RESET) {
      if (!this.powered) {
        this.reject("reset in power-down state (p.5: not acceptable)");
        return false;
      }
      this.accepted("reset");
      this.data = 0;
    } else if (mode) {
      if (!this.powered) {
        this.reject("measurement " + hex(op) + " in power-down state (send Power On first)");
        return false;
      }
      this.accepted("measure " + hex(op));
      this.measuring = { until: this.clock.now() + this.time(mode.mode), mode: mode.mode, oneTime: mode.oneTime, lux: Math.max(0, this.physical.illuminance) };
    } else if ((op & 0xf8) === OP_MTREG_HIGH) {
      this.accepted("MTreg high " + hex(op));
      this.mtreg = ((op & 0x07) << 5) | (this.mtreg & 0x1f);
    } else if ((op & 0xe0) === OP_MTREG_LOW) {
      this.accepted("MTreg low " + hex(op));
      this.mtreg = (this.mtreg & 0xe0) | (op & 0x1f);
    } else {
      this.reject("unknown opcode " + hex(op));
      return false;
    }
    return true;
  }

  read(length: number): Uint8Array {
    this.update();
    const out = new Uint8Array(length).fill(0xff);
    out[0] = this.data >> 8;
    if (length > 1) out[1] = this.data & 0xff;
    return out;
  }
}
