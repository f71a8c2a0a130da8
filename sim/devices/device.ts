// What every simulated device shares: the injected clock, the faults a bus can forward to
// it, and two logs tests read: `rejected` (commands or registers the part does not have:
// a driver with a wrong opcode shows up here) and `writes` (state-changing commands it
// accepted: a driver that configures before checking the chip id shows up here).
import type { Clock } from "../../hal/clock";

export type DeviceFault = "crc" | "gone" | "stale";

export abstract class SimDevice {
  readonly name: string;
  readonly clock: Clock;
  /** Unplugged / unpowered: does not answer at all. */
  gone = false;
  /** Sends wrong checksums (parts that have one). */
  corruptCrc = false;
  /** Conversions stop completing; results keep the previous conversion (see each part). */
  stale = false;
  readonly rejected: string[] = [];
  readonly writes: string[] = [];

  constructor(name: string, clock: Clock) {
    this.name = name;
    this.clock = clock;
  }

  setFault(fault: DeviceFault, on: boolean): void {
    if (fault === "crc") this.corruptCrc = on;
    else if (fault === "stale") this.stale = on;
    else {
      // back after being gone = a fresh power-up
      if (this.gone && !on) this.powerOn();
      this.gone = on;
    }
  }

  /** Power-on reset: registers to their reset values. */
  abstract powerOn(): void;

  protected reject(what: string): void {
    this.rejected.push(this.name + ": " + what);
  }

  protected accepted(what: string): void {
    this.writes.push(what);
  }
}

export function hex(value: number, digits = 2): string {
  return "0x" + value.toString(16).padStart(digits, "0");
}
