// Maxim DS18B20 temperature sensor on a 1-Wire bus. Several may share a bus: one driver
// per sensor, addressed by ROM code (findDs18b20() lists them). It needs a Clock: a
// parasite-powered DS18B20 cannot signal the end of a conversion, and with several sensors
// on one bus the read-slot "busy" signal is not per sensor.
import type { Clock } from "../clock";
import { codedError } from "../errors";
import { crc8Dallas } from "../crc8";
import { romBytes, type OneWireBus } from "../onewire";
import type { ClimateSample, Sensor } from "../sensor";
import {
  CMD_CONVERT_T,
  CMD_READ_SCRATCHPAD,
  CMD_WRITE_SCRATCHPAD,
  CONFIG_FIXED_BITS,
  CONFIG_MASK,
  CONVERSION_MS,
  DS18B20_FAMILY,
  POWER_ON_RAW,
  SCRATCHPAD_LENGTH,
  SP_CONFIG,
  SP_CRC,
  SP_TH,
  SP_TL,
} from "./ds18b20.regs";

export interface Ds18b20Options {
  bus: OneWireBus;
  clock: Clock;
  /** 16 hex digits from OneWire search; default: the only DS18B20 on the bus. */
  rom?: string;
  /** 9..12 bits (default 12): 0.5 to 0.0625 degC, 94 to 750 ms (Table 2). */
  resolution?: number;
  /** Parasite power: the line is driven high during the conversion ("Powering the DS18B20"). */
  parasite?: boolean;
}

/** ROM codes of the DS18B20s on `bus` (family 0x28, ROM CRC valid), in search order. */
export function findDs18b20(bus: OneWireBus): string[] {
  return bus.search().filter(function (rom) {
    const bytes = romBytes(rom);
    return bytes !== undefined && bytes[0] === DS18B20_FAMILY && crc8Dallas(bytes, 0, 8) === 0;
  });
}

export class Ds18b20 implements Sensor<ClimateSample> {
  bus: OneWireBus;
  clock: Clock;
  rom: string;
  config: number;
  wait: number;
  parasite: boolean;
  started: number;

  constructor(options: Ds18b20Options) {
    const resolution = options.resolution ?? 12;
    const rom = options.rom;
    const bytes = rom === undefined ? undefined : romBytes(rom);
    if (!options.bus || !options.clock || CONVERSION_MS[resolution] === undefined || (rom !== undefined && (!bytes || crc8Dallas(bytes, 0, 8) !== 0))) {
      throw codedError("invalid-options", "ds18b20: needs bus, clock, resolution 9..12, rom of 16 hex digits with a valid CRC");
    }
    // Figure 6: the family code says which chip a ROM belongs to, before any bus traffic.
    if (bytes && bytes[0] !== DS18B20_FAMILY) throw codedError("wrong-chip", "ds18b20: ROM " + rom + " is not a DS18B20 (family 0x28)");
    this.bus = options.bus;
    this.clock = options.clock;
    this.parasite = !!options.parasite;
    // Table 2: R1R0 in bits 6:5.
    this.config = ((resolution - 9) << 5) | CONFIG_FIXED_BITS;
    this.wait = Math.ceil(CONVERSION_MS[resolution]!);
    this.started = NaN;
    if (rom === undefined) {
      const found = findDs18b20(this.bus);
      if (found.length !== 1) {
        if (found.length > 1) throw codedError("invalid-options", "ds18b20: " + found.length + " DS18B20 on the bus, give rom");
        throw codedError(this.bus.search().length ? "wrong-chip" : "nack", "ds18b20: no DS18B20 on the bus");
      }
      this.rom = found[0]!;
    } else {
      this.rom = rom.toLowerCase();
    }
    // Read the scratchpad (checks presence and CRC), then set the resolution, keeping the
    // alarm bytes TH/TL (WRITE SCRATCHPAD writes all three, Table 3).
    const pad = this.scratchpad();
    if (pad[SP_CONFIG] !== this.config) this.configure(pad);
  }

  /** Reset + MATCH ROM; `nack` when nobody answers the reset. */
  select(): void {
    if (!this.bus.reset()) throw codedError("nack", "ds18b20: no presence pulse");
    this.bus.select(this.rom);
  }

  configure(pad: Uint8Array): void {
    this.select();
    this.bus.write([CMD_WRITE_SCRATCHPAD, pad[SP_TH]!, pad[SP_TL]!, this.config]);
  }

  /** READ SCRATCHPAD with every check the bus allows. */
  scratchpad(): Uint8Array {
    this.select();
    this.bus.write(CMD_READ_SCRATCHPAD);
    const pad = this.bus.read(SCRATCHPAD_LENGTH);
    let all = 0xff;
    for (let i = 0; i < SCRATCHPAD_LENGTH; i++) all &= pad[i]!;
    // An absent device leaves the line high: all ones (the reset saw another device).
    if (all === 0xff) throw codedError("nack", "ds18b20: " + this.rom + " does not answer");
    // A line stuck low reads all zeros, whose CRC is 0 too: the fixed config bits catch it.
    if ((pad[SP_CONFIG]! & CONFIG_MASK) !== CONFIG_FIXED_BITS) throw codedError("bus", "ds18b20: scratchpad unreadable (line stuck?)");
    if (crc8Dallas(pad, 0, SP_CRC) !== pad[SP_CRC]) throw codedError("crc", "ds18b20: scratchpad checksum mismatch");
    return pad;
  }

  trigger(): number {
    this.started = NaN;
    this.select();
    // Parasite power: drive the line high through the conversion ("Powering the DS18B20").
    this.bus.write(CMD_CONVERT_T, this.parasite);
    this.started = this.clock.now();
    return this.wait;
  }

  sample(): ClimateSample {
    if (!(this.clock.now() - this.started >= this.wait)) throw codedError("not-ready", "ds18b20: converting");
    const pad = this.scratchpad();
    // A power cycle resets the configuration to the EEPROM value: put ours back.
    if (pad[SP_CONFIG] !== this.config) {
      this.configure(pad);
      throw codedError("not-ready", "ds18b20: configuration was reset");
    }
    const raw = (((pad[1]! << 8) | pad[0]!) << 16) >> 16;
    // +85 degC is the power-on value: the conversion did not happen (brown-out).
    if (raw === POWER_ON_RAW) throw codedError("not-ready", "ds18b20: power-on value");
    this.started = NaN;
    // Figure 4: two's complement, 1/16 degC per LSB; undefined low bits below 12-bit.
    return { temperature: (raw & ~((1 << (3 - ((this.config >> 5) & 3))) - 1)) / 16 };
  }

  close(): void {
    this.started = NaN;
  }
}

export function create(options: Ds18b20Options): Ds18b20 {
  return new Ds18b20(options);
}
