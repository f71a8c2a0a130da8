// A byte-level Maxim DS18B20 (datasheet 19-7487 Rev 6) on the simulated 1-Wire bus.
// Modelled: a ROM code from a seed (family 0x28, 48-bit serial, Dallas CRC-8); ROM
// commands MATCH / SKIP / READ ROM (search runs at bit level in the bus); function commands
// CONVERT T (conversion time 85 % of the Table 2 maximum for the resolution; read slots
// return 0 while converting and 1 when done, except parasite-powered parts, which cannot
// pull the line), READ / WRITE / COPY SCRATCHPAD, RECALL E2, READ POWER SUPPLY; the
// scratchpad layout of Figure 7 with its CRC; the +85 degC power-on value; EEPROM TH/TL/
// config; a parasite-powered part browning out (back to power-on values) when the master
// does not drive the line high during CONVERT T. Unknown commands are reported.
// "stale" fault: conversions brown out (the scratchpad falls back to the power-on values,
// +85 degC), the usual way a real DS18B20 delivers a stale reading.
import type { Clock } from "../../hal/clock";
import {
  CMD_CONVERT_T,
  CMD_COPY_SCRATCHPAD,
  CMD_READ_POWER_SUPPLY,
  CMD_READ_SCRATCHPAD,
  CMD_RECALL_E2,
  CMD_WRITE_SCRATCHPAD,
  CONVERSION_MS,
  DS18B20_FAMILY,
  POWER_ON_RAW,
  ROM_ALARM_SEARCH,
  ROM_MATCH,
  ROM_READ,
  ROM_SKIP,
} from "../../hal/drivers/ds18b20.regs";
import { dallasCrc } from "./checksums";
import { SimDevice, hex } from "./device";
import type { SimOneWireDevice } from "./onewire-bus";
import { romString } from "./onewire-bus";
import { Random } from "./random";

type Phase = "rom" | "match" | "function" | "write-scratchpad" | "read-scratchpad" | "read-rom" | "convert" | "power" | "idle";

/** A ROM code: family, 6 serial bytes from the seed, Dallas CRC (Figure 6). */
export function makeRom(seed: number, family = DS18B20_FAMILY): Uint8Array {
  const r = new Random(seed);
  const rom = new Uint8Array(8);
  rom[0] = family;
  for (let i = 1; i < 7; i++) rom[i] = r.int(0, 255);
  rom[7] = dallasCrc(rom.subarray(0, 7));
  return rom;
}

export class SimDs18b20 extends SimDevice implements SimOneWireDevice {
  readonly rom: Uint8Array;
  readonly parasite: boolean;
  readonly range = { temperature: [-55, 125] };
  /** Half a step of the resolution in use: 0.03125 degC at 12 bits (Table 2). */
  get tolerance(): { temperature: number } {
    return { temperature: 0.0625 * (1 << (3 - ((this.scratchpad[4]! >> 5) & 3))) / 2 };
  }
  physical = { temperature: 20 };
  private scratchpad = new Uint8Array(9);
  private eeprom = { th: 0x4b, tl: 0x46, config: 0x7f }; // factory defaults: 75, 70 degC, 12 bits
  private phase: Phase = "rom";
  private index = 0;
  private conversion: { until: number; temperature: number; powered: boolean } | undefined;

  constructor(options: { clock: Clock; seed?: number; family?: number; parasite?: boolean }) {
    super("ds18b20", options.clock);
    this.rom = makeRom(options.seed ?? 1, options.family ?? DS18B20_FAMILY);
    this.parasite = !!options.parasite;
    this.powerOn();
  }

  get romCode(): string {
    return romString(this.rom);
  }

  setPhysical(values: { temperature?: number }): void {
    this.physical = Object.assign({}, this.physical, values);
  }

  powerOn(): void {
    const s = this.scratchpad;
    s[0] = POWER_ON_RAW & 0xff;
    s[1] = POWER_ON_RAW >> 8;
    s[2] = this.eeprom.th;
    s[3] = this.eeprom.tl;
    s[4] = this.eeprom.config;
    s[5] = 0xff; // Figure 7: reserved
    s[6] = 0x0c;
    s[7] = 0x10;
    this.phase = "rom";
    this.conversion = undefined;
  }

  private update(): void {
    const c = this.conversion;
    if (!c || this.clock.now() < c.until) return;
    this.conversion = undefined;
    if (this.stale || (this.parasite && !c.powered)) {
      this.powerOn(); // brown-out: the part restarts from its power-on values
      return;
    }
    const resolution = (this.scratchpad[4]! >> 5) & 3; // 0..3 = 9..12 bits
    const step = 1 << (3 - resolution); // in 1/16 degC
    const t = Math.min(125, Math.max(-55, c.temperature));
    const raw = Math.round((t * 16) / step) * step;
    this.scratchpad[0] = raw & 0xff;
    this.scratchpad[1] = (raw >> 8) & 0xff;
  }

  reset(): void {
    this.update();
    this.phase = "rom";
  }

  searches(command: number): boolean {
    this.update();
    if (command !== ROM_ALARM_SEARCH) return true;
    // alarm flag: last temperature outside [TL, TH] (signed bytes, whole degrees)
    const t = ((this.scratchpad[1]! << 24) >> 16 | this.scratchpad[0]!) / 16;
    return t >= ((this.scratchpad[2]! << 24) >> 24) || t <= ((this.scratchpad[3]! << 24) >> 24);
  }

  writeByte(value: number, power: boolean): void {
    this.update();
    switch (this.phase) {
      case "rom":
        if (value === ROM_MATCH) {
          this.phase = "match";
          this.index = 0;
        } else if (value === ROM_SKIP) this.phase = "function";
        else if (value === ROM_READ) {
          this.phase = "read-rom";
          this.index = 0;
        } else {
          this.reject("ROM command " + hex(value) + (value === 0xf0 || value === 0xec ? " (search is modelled by OneWire.search only)" : ""));
          this.phase = "idle";
        }
        return;
      case "match":
        if (value !== this.rom[this.index]) this.phase = "idle"; // not us: wait for the next reset
        else if (++this.index === 8) this.phase = "function";
        return;
      case "function":
        this.command(value, power);
        return;
      case "write-scratchpad":
        // TH, TL, config; config keeps its fixed bits (Figure 10)
        if (this.index < 2) this.scratchpad[2 + this.index] = value;
        else this.scratchpad[4] = (value & 0x60) | 0x1f;
        if (++this.index === 3) this.phase = "idle";
        return;
      default:
        return; // a byte nobody listens to
    }
  }

  private command(value: number, power: boolean): void {
    const s = this.scratchpad;
    if (value === CMD_CONVERT_T) {
      this.accepted("convert T");
      const max = CONVERSION_MS[9 + ((s[4]! >> 5) & 3)]!;
      this.conversion = { until: this.clock.now() + max * 0.85, temperature: this.physical.temperature, powered: power };
      this.phase = "convert";
    } else if (value === CMD_READ_SCRATCHPAD) {
      s[8] = dallasCrc(s.subarray(0, 8)) ^ (this.corruptCrc ? 0x01 : 0);
      this.phase = "read-scratchpad";
      this.index = 0;
    } else if (value === CMD_WRITE_SCRATCHPAD) {
      this.accepted("write scratchpad");
      this.phase = "write-scratchpad";
      this.index = 0;
    } else if (value === CMD_COPY_SCRATCHPAD) {
      this.accepted("copy scratchpad");
      this.eeprom = { th: s[2]!, tl: s[3]!, config: s[4]! };
      this.phase = "idle";
    } else if (value === CMD_RECALL_E2) {
      this.accepted("recall E2");
      s[2] = this.eeprom.th;
      s[3] = this.eeprom.tl;
      s[4] = this.eeprom.config;
      this.phase = "idle";
    } else if (value === CMD_READ_POWER_SUPPLY) {
      this.phase = "power";
    } else {
      this.reject("function command " + hex(value));
      this.phase = "idle";
    }
  }

  readByte(): number {
    this.update();
    switch (this.phase) {
      case "read-scratchpad":
        return this.index < 9 ? this.scratchpad[this.index++]! : 0xff;
      case "read-rom":
        return this.index < 8 ? this.rom[this.index++]! : 0xff;
      case "convert":
        // externally powered: 0 while converting, 1 when done; a parasite part cannot pull
        return this.parasite || !this.conversion ? 0xff : 0x00;
      case "power":
        return this.parasite ? 0x00 : 0xff; // parasite parts pull the line low
      default:
        return 0xff;
    }
  }
}
