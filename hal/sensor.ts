// The sensor driver contract (design.md §4).
//
// A driver is constructed from ONE options object `{ bus, address?, ...settings }`. The
// constructor validates every option before it touches the bus (`invalid-options`), never
// mutates the object, and checks the chip id where the chip has one (`wrong-chip`).
// `trigger()` starts a conversion and returns how many milliseconds to wait: the scheduler
// waits, the driver never busy-waits. `sample()` returns a NEW object in SI units, or throws a
// coded error (`not-ready`, `nack`, `crc`, `bus`): no partial samples, no callbacks from
// inside methods. A construction failure marks the sensor failed (reported, the node keeps
// running); a sample failure is transient (counted, retried, reported).
//
// Each driver file exports a class and a uniform factory `create(options)`, so a board's
// generated entry imports exactly the drivers it uses and nothing else.

export interface Sensor<S> {
  /** Starts a conversion; returns the milliseconds to wait before sample(). */
  trigger(): number;
  /** The result of the last conversion, as a new object, or a coded error. */
  sample(): S;
  /** Releases the bus/pin (puts the chip to sleep where it has a sleep mode). */
  close(): void;
}

/** Units are in the names: degrees Celsius, %RH (0-100), pascals, lux. */
export interface ClimateSample {
  /** degrees C */
  temperature: number;
  /** %RH, 0..100; absent on parts without a humidity sensor (BMP280). */
  humidity?: number;
  /** Pa */
  pressure?: number;
}

export interface LightSample {
  /** lx */
  illuminance: number;
}

export interface StateSample {
  /** Logical state after `invert`: true = active/on. */
  state: boolean;
}
