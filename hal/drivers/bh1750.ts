// ROHM BH1750 ambient light sensor over I2C, one-time measurements (datasheet p.5): the
// chip powers down by itself after each one. It has no busy flag and no chip id, so the
// driver keeps time itself (a Clock is required) and resets the data register before every
// measurement: a measurement that never happens reads 0, never the previous value.
import type { Clock } from "../clock";
import { codedError } from "../errors";
import { isI2CAddress, type I2CBus } from "../i2c";
import type { LightSample, Sensor } from "../sensor";
import { COUNTS_PER_LUX, MEASURE_MAX_MS, MTREG_DEFAULT, MTREG_MAX, MTREG_MIN, ONE_TIME_OPCODES, OP_MTREG_HIGH, OP_MTREG_LOW, OP_POWER_DOWN, OP_POWER_ON, OP_RESET } from "./bh1750.regs";

export interface Bh1750Options {
  bus: I2CBus;
  clock: Clock;
  /** 0x23 (default) or 0x5C. */
  address?: number;
  /** "high" (1 lx, default), "high2" (0.5 lx) or "low" (4 lx, 24 ms) resolution mode (p.5). */
  mode?: "high" | "high2" | "low";
  /** MTreg 31..254 (default 69): higher = more sensitive and slower (p.11). */
  sensitivity?: number;
}

export class Bh1750 implements Sensor<LightSample> {
  bus: I2CBus;
  clock: Clock;
  address: number;
  opcodes: number[];
  wait: number;
  /** lx per count. */
  scale: number;
  /** When the pending measurement was started (clock ms); NaN when none. */
  started: number;

  constructor(options: Bh1750Options) {
    const address = options.address ?? 0x23;
    const mode = options.mode ?? "high";
    const mt = options.sensitivity ?? MTREG_DEFAULT;
    const opcode = ONE_TIME_OPCODES[mode];
    if (!options.bus || !options.clock || (address !== 0x23 && address !== 0x5c) || !isI2CAddress(address) || opcode === undefined || typeof mt !== "number" || !(mt >= MTREG_MIN && mt <= MTREG_MAX) || mt % 1 !== 0) {
      throw codedError("invalid-options", "bh1750: needs bus, clock, address 0x23/0x5c, mode high/high2/low, sensitivity 31..254");
    }
    this.bus = options.bus;
    this.clock = options.clock;
    this.address = address;
    // Power on, reset the data register, MTreg (only when not the default), measure.
    this.opcodes = mt === MTREG_DEFAULT ? [OP_POWER_ON, OP_RESET, opcode] : [OP_POWER_ON, OP_RESET, OP_MTREG_HIGH | (mt >> 5), OP_MTREG_LOW | (mt & 0x1f), opcode];
    // p.2: maximum measurement time scales with MTreg / 69 (p.11).
    this.wait = Math.ceil((MEASURE_MAX_MS[mode]! * mt) / MTREG_DEFAULT);
    // p.11: lx = count / 1.2 * (69 / MTreg); H-resolution mode2 counts half-lux.
    this.scale = MTREG_DEFAULT / (COUNTS_PER_LUX * mt) / (mode === "high2" ? 2 : 1);
    this.started = NaN;
    // The chip has no id: its answer to Power Down proves something ACKs at the address.
    this.bus.write(address, [OP_POWER_DOWN]);
  }

  trigger(): number {
    const bus = this.bus;
    const address = this.address;
    this.started = NaN;
    this.opcodes.forEach(function (opcode) {
      bus.write(address, [opcode]);
    });
    this.started = this.clock.now();
    return this.wait;
  }

  sample(): LightSample {
    // No busy flag on this chip (p.5): before the maximum time the register may still hold 0.
    if (!(this.clock.now() - this.started >= this.wait)) throw codedError("not-ready", "bh1750: measuring");
    const data = this.bus.read(this.address, 2);
    this.started = NaN;
    return { illuminance: ((data[0]! << 8) | data[1]!) * this.scale };
  }

  close(): void {
    this.started = NaN;
    this.bus.write(this.address, [OP_POWER_DOWN]);
  }
}

export function create(options: Bh1750Options): Bh1750 {
  return new Bh1750(options);
}
