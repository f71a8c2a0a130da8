// A digital output: relay, LED, valve. The pin is driven to its initial level before it
// becomes an output, so an active-low relay board does not click at boot.
import { codedError } from "../errors";
import type { DigitalPin } from "../gpio";
import type { Sensor, StateSample } from "../sensor";

export interface DigitalOutputOptions {
  pin: DigitalPin;
  /** State at start (default false = off). */
  initial?: boolean;
  /** Active low: drive the pin low for ON. */
  invert?: boolean;
}

export class DigitalOutput implements Sensor<StateSample> {
  pin: DigitalPin;
  invert: boolean;
  state: boolean;

  constructor(options: DigitalOutputOptions) {
    if (!options.pin || (options.initial !== undefined && typeof options.initial !== "boolean")) {
      throw codedError("invalid-options", "digital-output: needs pin, initial true/false");
    }
    this.pin = options.pin;
    this.invert = !!options.invert;
    this.state = !!options.initial;
    this.pin.write(this.state !== this.invert);
    this.pin.mode("output");
  }

  set(on: boolean): void {
    this.state = !!on;
    this.pin.write(this.state !== this.invert);
  }

  toggle(): void {
    this.set(!this.state);
  }

  trigger(): number {
    return 0;
  }

  sample(): StateSample {
    return { state: this.state };
  }

  /** Switches off. */
  close(): void {
    this.set(false);
  }
}

export function create(options: DigitalOutputOptions): DigitalOutput {
  return new DigitalOutput(options);
}
