// A simulated 1-Wire bus presenting ESPRUINO'S OneWire API (jswrap_onewire.c, 2v29):
// reset() -> presence; select(rom) = reset + MATCH ROM (0x55) + 64 bits; skip() = 0xCC;
// write(byte | bytes, power); read() -> byte, read(n) -> Uint8Array; search(command) runs
// Maxim's search algorithm (application note 187, as Espruino does) at bit level against
// the devices, wired-AND, and returns ROM strings byte 0 first, dropping a result whose
// first byte is 0 as Espruino does.
// Faults: stuck (line held low: a reset sees a "presence", every read is 0, search finds
// nothing), nack (a device, or all, stops answering), and per device crc / gone / stale.
import type { Clock } from "../../hal/clock";
import { SimDevice, type DeviceFault } from "./device";

export type OneWireFault = "nack" | "stuck" | DeviceFault;

export interface OneWireLogEntry {
  time: number;
  op: "reset" | "write" | "read" | "search" | "inject" | "clear";
  bytes?: number[];
  power?: boolean;
  presence?: boolean;
  rom?: string;
  fault?: OneWireFault;
}

/** What a device on the simulated 1-Wire bus implements (byte level; search at bit level). */
export interface SimOneWireDevice extends SimDevice {
  /** 8 ROM bytes, family code first. */
  readonly rom: Uint8Array;
  /** Reset pulse: back to waiting for a ROM command. */
  reset(): void;
  /** A byte from the master; `power` = the master drives the line high afterwards. */
  writeByte(value: number, power: boolean): void;
  /** The byte the device drives in the next 8 read slots (0xFF = releases the line). */
  readByte(): number;
  /** Whether it takes part in a search with this command (0xF0 all, 0xEC alarm only). */
  searches(command: number): boolean;
}

export function romString(rom: ArrayLike<number>): string {
  let s = "";
  for (let i = 0; i < 8; i++) s += (rom[i]! < 16 ? "0" : "") + rom[i]!.toString(16);
  return s;
}

export class SimOneWire {
  readonly clock: Clock;
  readonly devices: SimOneWireDevice[] = [];
  readonly log: OneWireLogEntry[] = [];
  private stuck = false;
  private nackAll = false;
  private nacked: string[] = [];

  constructor(options: { clock: Clock }) {
    this.clock = options.clock;
  }

  attach<T extends SimOneWireDevice>(device: T): T {
    this.devices.push(device);
    return device;
  }

  private answering(): SimOneWireDevice[] {
    if (this.nackAll) return [];
    return this.devices.filter((d) => !d.gone && this.nacked.indexOf(romString(d.rom)) < 0);
  }

  // ---- Espruino's API ----

  reset(): boolean {
    const devices = this.answering();
    devices.forEach((d) => d.reset());
    const presence = this.stuck || devices.length > 0;
    this.log.push({ time: this.clock.now(), op: "reset", presence });
    return presence;
  }

  select(rom: string): void {
    if (typeof rom !== "string" || rom.length !== 16) throw new TypeError("Invalid OneWire device address " + String(rom));
    this.reset();
    const bytes = [0x55];
    for (let i = 0; i < 8; i++) bytes.push(parseInt(rom.substr(i * 2, 2), 16));
    this.write(bytes);
  }

  skip(): void {
    this.write(0xcc);
  }

  write(data: number | ArrayLike<number>, power?: boolean): void {
    const bytes = typeof data === "number" ? [data & 0xff] : Array.prototype.slice.call(data).map((b: number) => b & 0xff);
    this.log.push({ time: this.clock.now(), op: "write", bytes, power: !!power });
    if (this.stuck) return;
    const devices = this.answering();
    bytes.forEach((b: number, i: number) => devices.forEach((d) => d.writeByte(b, !!power && i === bytes.length - 1)));
  }

  read(count?: number): number | Uint8Array {
    const n = count === undefined ? 1 : count;
    const out = new Uint8Array(n);
    const devices = this.answering();
    for (let i = 0; i < n; i++) {
      let value = this.stuck ? 0 : 0xff;
      devices.forEach((d) => (value &= d.readByte())); // open drain: wired AND
      out[i] = value;
    }
    this.log.push({ time: this.clock.now(), op: "read", bytes: Array.prototype.slice.call(out) });
    return count === undefined ? out[0]! : out;
  }

  search(command?: number): string[] {
    const cmd = !command || command <= 0 || command > 255 ? 0xf0 : command;
    const found: string[] = [];
    const romNo = new Uint8Array(8);
    let lastDiscrepancy = 0;
    let lastDevice = false;
    // application note 187 "Search ROM", as in jswrap_onewire.c
    while (!lastDevice) {
      if (!this.reset()) break;
      this.log.push({ time: this.clock.now(), op: "search", bytes: [cmd] });
      let participants = this.stuck ? [] : this.answering().filter((d) => d.searches(cmd));
      let lastZero = 0;
      let bitNumber = 1;
      let ok = true;
      for (; bitNumber <= 64; bitNumber++) {
        const byte = (bitNumber - 1) >> 3;
        const mask = 1 << ((bitNumber - 1) & 7);
        // each participant drives its bit, then the complement; the line is the AND
        let idBit = 1;
        let cmpBit = 1;
        if (this.stuck) idBit = cmpBit = 0;
        participants.forEach((d) => {
          const bit = (d.rom[byte]! & mask) ? 1 : 0;
          idBit &= bit;
          cmpBit &= bit ^ 1;
        });
        if (idBit === 1 && cmpBit === 1) {
          ok = false;
          break;
        }
        let direction: number;
        if (idBit !== cmpBit) direction = idBit;
        else {
          direction = bitNumber < lastDiscrepancy ? (romNo[byte]! & mask ? 1 : 0) : bitNumber === lastDiscrepancy ? 1 : 0;
          if (direction === 0) lastZero = bitNumber;
        }
        romNo[byte] = direction ? romNo[byte]! | mask : romNo[byte]! & ~mask;
        participants = participants.filter((d) => ((d.rom[byte]! & mask) ? 1 : 0) === direction);
      }
      if (!ok || bitNumber <= 64) break;
      lastDiscrepancy = lastZero;
      if (lastDiscrepancy === 0) lastDevice = true;
      if (romNo[0] === 0) break; // Espruino drops a ROM whose family byte is 0
      found.push(romString(romNo));
    }
    // every device is left waiting for a reset
    return found;
  }

  // ---- fault injection ----

  /** Injects a fault; `rom` selects the device (nack without rom = every device). */
  inject(fault: OneWireFault, rom?: string): void {
    this.log.push({ time: this.clock.now(), op: "inject", fault, rom });
    if (fault === "stuck") this.stuck = true;
    else if (fault === "nack") {
      if (rom === undefined) this.nackAll = true;
      else this.nacked.push(rom);
    } else this.device(rom).setFault(fault, true);
  }

  clear(fault: OneWireFault, rom?: string): void {
    this.log.push({ time: this.clock.now(), op: "clear", fault, rom });
    if (fault === "stuck") this.stuck = false;
    else if (fault === "nack") {
      if (rom === undefined) this.nackAll = false;
      this.nacked = this.nacked.filter((r) => r !== rom);
    } else this.device(rom).setFault(fault, false);
  }

  private device(rom: string | undefined): SimOneWireDevice {
    const device = this.devices.find((d) => romString(d.rom) === rom);
    if (!device) throw new Error("no simulated device with ROM " + String(rom));
    return device;
  }
}
