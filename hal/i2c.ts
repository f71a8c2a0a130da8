// The I2C bus contract (design.md §4): two synchronous primitives, like Espruino's
// writeTo/readFrom, and the register helpers built once on top of them.
// A device that does not answer throws the coded error `nack`; a bus that is stuck
// (SDA or SCL held low, clock-stretch timeout) throws `bus`.

export interface I2CBus {
  /** Writes `bytes` to the 7-bit `address`. `stop` defaults to true (STOP after the bytes). */
  write(address: number, bytes: Uint8Array | number[], stop?: boolean): void;
  /** Reads exactly `length` bytes from the 7-bit `address`. */
  read(address: number, length: number): Uint8Array;
}

/**
 * Reads `length` bytes starting at `register` from a device with an auto-incrementing
 * register pointer (Bosch parts, datasheet BME280 §6.2.2). The pointer write ends with a
 * STOP: the devices we drive keep their pointer across a STOP, and a write without STOP
 * followed by a separate read is the case ESP32 hardware I2C handles worst.
 */
export function readRegisters(bus: I2CBus, address: number, register: number, length: number): Uint8Array {
  bus.write(address, [register]);
  return bus.read(address, length);
}

export function readRegister(bus: I2CBus, address: number, register: number): number {
  return readRegisters(bus, address, register, 1)[0]!;
}

export function writeRegister(bus: I2CBus, address: number, register: number, value: number): void {
  bus.write(address, [register, value & 0xff]);
}

/** True for a 7-bit address a device may use (0x08..0x77; the rest is reserved by the I2C spec §3.1.12). */
export function isI2CAddress(address: unknown): boolean {
  return typeof address === "number" && address >= 0x08 && address <= 0x77 && address % 1 === 0;
}
