// A simulated I2C bus that presents ESPRUINO'S OWN I2C API (setup, writeTo, readFrom), so
// hal/espruino/i2c.ts runs unchanged against it, with the error behaviour of the Espruino
// implementation it stands for:
//  - "hardware" (ESP32 I2C1/I2C2, targets/esp32/jshardwareI2c.c): a NACK throws
//    "jshI2CWrite: slave doesn't ACK the transfer"; a stuck bus throws
//    "jshI2CWrite:, Operation timeout because the bus is busy".
//  - "software" (`new I2C()`, src/jsi2c.c): the ACK bit is never checked, so a NACKed write
//    silently goes nowhere and a NACKed read returns 0xFF bytes (the pull-ups); a stuck bus
//    throws "I2C Error: Arbitration (start)".
// Fault injection: nack (one address or all), stuck, and per-device crc / gone / stale.
// Every transaction and fault goes to `log`, so tests can prove what did (not) happen.
import type { Clock } from "../../hal/clock";
import { SimDevice, type DeviceFault } from "./device";

export type I2CMode = "hardware" | "software";
export type BusFault = "nack" | "stuck" | DeviceFault;

export interface I2CLogEntry {
  time: number;
  op: "write" | "read" | "inject" | "clear";
  address?: number;
  bytes?: number[];
  /** ack: the device answered; nack: nobody did; stuck: the bus was held. */
  outcome?: "ack" | "nack" | "stuck";
  fault?: BusFault;
}

/** What a device on the simulated bus implements. */
export interface SimI2CDevice extends SimDevice {
  readonly address: number;
  /** A write transaction to the device; false = the device NACKed (address or a data byte). */
  write(bytes: Uint8Array): boolean;
  /** A read transaction: `length` bytes, or undefined when the device NACKs its address. */
  read(length: number): Uint8Array | undefined;
}

type Address = number | { address: number; stop?: boolean };

function flatten(data: unknown[], out: number[]): number[] {
  data.forEach(function (item) {
    if (typeof item === "number") out.push(item & 0xff);
    else if (typeof item === "string") for (let i = 0; i < item.length; i++) out.push(item.charCodeAt(i) & 0xff);
    else if (item && typeof (item as ArrayLike<number>).length === "number") flatten(Array.prototype.slice.call(item as ArrayLike<number>), out);
    else throw new TypeError("I2C: cannot send " + String(item));
  });
  return out;
}

export class SimI2C {
  readonly mode: I2CMode;
  readonly clock: Clock;
  readonly devices: SimI2CDevice[] = [];
  readonly log: I2CLogEntry[] = [];
  /** Options passed to setup(), or undefined before setup. */
  options: { scl?: unknown; sda?: unknown; bitrate?: number } | undefined;
  private nackAll = false;
  private nacked: number[] = [];
  private stuck = false;
  private logLimit: number;

  constructor(options: { mode?: I2CMode; clock: Clock; logLimit?: number }) {
    this.mode = options.mode ?? "hardware";
    this.clock = options.clock;
    this.logLimit = options.logLimit ?? 10000;
  }

  attach<T extends SimI2CDevice>(device: T): T {
    if (this.devices.some((d) => d.address === device.address)) throw new Error("address 0x" + device.address.toString(16) + " already taken");
    this.devices.push(device);
    return device;
  }

  // ---- Espruino's API ----

  setup(options: { scl?: unknown; sda?: unknown; bitrate?: number }): void {
    if (options.bitrate !== undefined && options.bitrate < 100) throw new Error("Invalid I2C bitrate");
    this.options = options;
  }

  writeTo(address: Address, ...data: unknown[]): void {
    const target = typeof address === "number" ? address : address.address;
    const bytes = flatten(data, []);
    const device = this.transaction("jshI2CWrite", target, "write", bytes);
    if (!device) return;
    if (device.write(new Uint8Array(bytes))) this.record({ time: this.clock.now(), op: "write", address: target, bytes, outcome: "ack" });
    else this.nack("jshI2CWrite", target, "write", bytes);
  }

  readFrom(address: Address, quantity: number): Uint8Array {
    const target = typeof address === "number" ? address : address.address;
    const device = this.transaction("jshI2CRead", target, "read", []);
    const data = device ? device.read(quantity) : undefined;
    if (device && data) {
      this.record({ time: this.clock.now(), op: "read", address: target, bytes: Array.prototype.slice.call(data), outcome: "ack" });
      return data;
    }
    if (device) this.nack("jshI2CRead", target, "read", []);
    // software I2C: nobody drives SDA, the pull-ups read as ones
    return new Uint8Array(quantity).fill(0xff);
  }

  // ---- fault injection ----

  /** Injects a fault; `address` selects the device (nack without address = every device). */
  inject(fault: BusFault, address?: number): void {
    this.record({ time: this.clock.now(), op: "inject", address, fault });
    if (fault === "nack") {
      if (address === undefined) this.nackAll = true;
      else this.nacked.push(address);
    } else if (fault === "stuck") this.stuck = true;
    else this.device(address).setFault(fault, true);
  }

  /** Ends a fault. A device that was gone comes back powered up from scratch. */
  clear(fault: BusFault, address?: number): void {
    this.record({ time: this.clock.now(), op: "clear", address, fault });
    if (fault === "nack") {
      if (address === undefined) this.nackAll = false;
      this.nacked = this.nacked.filter((a) => a !== address);
    } else if (fault === "stuck") this.stuck = false;
    else this.device(address).setFault(fault, false);
  }

  /** Transactions in the log (not faults), optionally for one address. */
  traffic(address?: number): I2CLogEntry[] {
    return this.log.filter((e) => (e.op === "write" || e.op === "read") && (address === undefined || e.address === address));
  }

  // ---- internals ----

  private device(address: number | undefined): SimI2CDevice {
    const device = this.devices.find((d) => d.address === address);
    if (!device) throw new Error("no simulated device at " + String(address));
    return device;
  }

  /** Start + address phase: the device that ACKs, or undefined (after the mode's NACK handling). */
  private transaction(caller: string, address: number, op: "write" | "read", bytes: number[]): SimI2CDevice | undefined {
    if (!this.options) throw new Error("I2C: setup() was not called");
    if (this.stuck) {
      this.record({ time: this.clock.now(), op, address, bytes, outcome: "stuck" });
      throw new Error(this.mode === "hardware" ? caller + ":, Operation timeout because the bus is busy" : "I2C Error: Arbitration (start)");
    }
    const device = this.devices.find((d) => d.address === address);
    if (!device || this.nackAll || this.nacked.indexOf(address) >= 0 || device.gone) {
      this.nack(caller, address, op, bytes);
      return undefined;
    }
    return device;
  }

  private nack(caller: string, address: number, op: "write" | "read", bytes: number[]): void {
    this.record({ time: this.clock.now(), op, address, bytes, outcome: "nack" });
    // software: the NACK goes unnoticed (jsi2c.c does not check the ACK bit)
    if (this.mode === "hardware") throw new Error(caller + ": slave doesn't ACK the transfer");
  }

  private record(entry: I2CLogEntry): void {
    this.log.push(entry);
    if (this.log.length > this.logLimit) this.log.splice(0, this.log.length - this.logLimit);
  }
}
