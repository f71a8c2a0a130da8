// A debounced digital input: button, PIR motion sensor, reed (door) contact. Edges are
// reported as they happen through `onChange` (and `onLongPress` when the input stays
// active long enough); sample() reports the current debounced state for periodic publishing.
import type { Clock, TimerHandle } from "../clock";
import { codedError } from "../errors";
import type { DigitalPin, PinEvent } from "../gpio";
import type { Sensor, StateSample } from "../sensor";

export interface DigitalInputOptions {
  pin: DigitalPin;
  clock: Clock;
  /** Internal pull resistor (default "up"). */
  pull?: "up" | "down" | "none";
  /** Active low: a contact that pulls the pin to ground reads as state true. */
  invert?: boolean;
  /** Debounce window in ms (default 50): pulses shorter than this are ignored. */
  debounce?: number;
  /** Report a long press after the input has been active this many ms. */
  longPress?: number;
  /** Every debounced change, in order; `time` in clock ms. */
  onChange?: (state: boolean, time: number) => void;
  /** The input has been active for `longPress` ms (once per activation). */
  onLongPress?: (time: number) => void;
}

/**
 * The pin's watch callback. Made here, not as an arrow in the constructor: a closure keeps
 * its whole scope alive, and the constructor's holds the options object (~20 variables per
 * input on an ESP8266).
 */
function edges(input: DigitalInput): (event: PinEvent) => void {
  return function (event: PinEvent): void {
    input.edge(event);
  };
}

// Only what the edges need later is kept on the object (each property ~2 variables on an
// ESP8266, per input): not the pin (the watch holds it) and no property that would be undefined.
export class DigitalInput implements Sensor<StateSample> {
  clock: Clock;
  invert: boolean;
  longPress: number;
  state: boolean;
  timer: TimerHandle | undefined;
  unwatch: () => void;
  onChange: ((state: boolean, time: number) => void) | undefined;
  onLongPress: ((time: number) => void) | undefined;

  constructor(options: DigitalInputOptions) {
    // Conditions, not a module-level table: a table stays in a board's RAM for its life.
    const pull = options.pull ?? "up";
    const mode = pull === "up" ? "input_pullup" : pull === "down" ? "input_pulldown" : pull === "none" ? "input" : undefined;
    const debounce = options.debounce ?? 50;
    const longPress = options.longPress ?? 0;
    if (!options.pin || !options.clock || !mode || !(debounce >= 0 && debounce <= 1000) || !(longPress >= 0)) {
      throw codedError("invalid-options", "digital-input: needs pin, clock, pull up/down/none, debounce 0..1000 ms, longPress >= 0 ms");
    }
    const pin = options.pin;
    this.clock = options.clock;
    this.invert = !!options.invert;
    this.longPress = longPress;
    if (options.onChange) this.onChange = options.onChange;
    if (options.onLongPress) this.onLongPress = options.onLongPress;
    pin.mode(mode);
    this.state = pin.read() !== this.invert;
    this.unwatch = pin.watch(edges(this), { edge: "both", debounce: debounce });
  }

  edge(event: PinEvent): void {
    const state = event.state !== this.invert;
    if (state === this.state) return;
    this.state = state;
    if (this.timer !== undefined) {
      this.clock.clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (state && this.longPress > 0) {
      // Count from the edge, not from when the callback ran.
      const delay = this.longPress - (this.clock.now() - event.time);
      this.timer = this.clock.setTimeout(() => {
        this.timer = undefined;
        if (this.onLongPress) this.onLongPress(this.clock.now());
      }, delay > 0 ? delay : 0);
    }
    if (this.onChange) this.onChange(state, event.time);
  }

  trigger(): number {
    return 0;
  }

  sample(): StateSample {
    return { state: this.state };
  }

  close(): void {
    this.unwatch();
    this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }
}

export function create(options: DigitalInputOptions): DigitalInput {
  return new DigitalInput(options);
}
