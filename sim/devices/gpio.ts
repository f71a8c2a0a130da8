// Simulated pins and ADC behind ESPRUINO'S OWN functions (digitalRead, digitalWrite,
// pinMode, setWatch, clearWatch, analogRead) and Pin globals (D0..D39, NodeMCU.D0..D10,
// A0), so hal/espruino/gpio.ts runs unchanged against them, on an injected clock.
//
// Outside world: drive(name, level) is something pulling the pin (a button to ground:
// drive(name, false) pressed, drive(name, undefined) released so the pull resistor wins);
// press/bounce schedule such changes on the clock; setVoltage feeds the ADC.
//
// setWatch follows Espruino's jsinteractive.c (jsiIdle): the callback gets
// { state, time, lastTime } in SECONDS. Without debounce every edge is queued with its exact
// time. With `debounce`, each edge (re)starts a timer of `debounce` ms; when it expires and
// the level differs from the watch's last state, one event fires, delivered at expiry but
// stamped with the time of the last edge (Espruino: timer time minus the debounce delay).
// `edge` filters which events reach the callback; lastTime advances on every state change,
// filtered or not, as in Espruino.
import type { Clock, TimerHandle } from "../../hal/clock";

export type SimPinMode = "input" | "input_pullup" | "input_pulldown" | "output" | "opendrain" | "analog" | "auto";

export class SimPin {
  readonly name: string;
  mode: SimPinMode = "auto";
  /** What the firmware drives when the pin is an output. */
  output = false;
  /** What the outside world drives (undefined = nothing: the pull resistor or last level). */
  external: boolean | undefined = undefined;
  /** Volts at the pin for the ADC. */
  voltage = 0;
  private floating = false;

  constructor(name: string) {
    this.name = name;
  }

  level(): boolean {
    if (this.external !== undefined) return this.external;
    if (this.mode === "output" || (this.mode === "opendrain" && !this.output)) return this.output;
    if (this.mode === "input_pullup" || this.mode === "opendrain") return true;
    if (this.mode === "input_pulldown") return false;
    return this.floating;
  }

  toString(): string {
    return this.name;
  }
}

interface Watch {
  id: number;
  pin: SimPin;
  callback: (event: { state: boolean; time: number; lastTime?: number }) => void;
  edge: "rising" | "falling" | "both";
  debounce: number;
  repeat: boolean;
  reported: boolean;
  lastTime: number | undefined;
  timer: TimerHandle | undefined;
  /** Time of the last edge seen (debounced watches). */
  edgeTime: number;
}

/** ESP8266 NodeMCU silk-screen names -> GPIO numbers (Espruino's NodeMCU object). */
const NODEMCU: Record<string, number> = { D0: 16, D1: 5, D2: 4, D3: 0, D4: 2, D5: 14, D6: 12, D7: 13, D8: 15, D9: 3, D10: 1 };

export class SimGpio {
  readonly clock: Clock;
  readonly pins: Record<string, SimPin> = {};
  /** ADC: full-scale volts and bits (ESP32 at 11 dB: 3.3 V, 12 bits; ESP8266 A0: 1.0 V, 10 bits). */
  readonly adc: { fullScale: number; bits: number };
  private watches: Watch[] = [];
  private nextId = 1;

  constructor(options: { clock: Clock; adc?: { fullScale: number; bits: number } }) {
    this.clock = options.clock;
    this.adc = options.adc ?? { fullScale: 3.3, bits: 12 };
    for (let i = 0; i < 40; i++) this.pins["D" + i] = new SimPin("D" + i);
    this.pins.A0 = new SimPin("A0");
  }

  pin(name: string): SimPin {
    const nodemcu = /^NodeMCU\.(D\d+)$/.exec(name);
    const key = nodemcu ? "D" + NODEMCU[nodemcu[1]!] : name;
    const pin = this.pins[key];
    if (!pin) throw new Error("no simulated pin " + name);
    return pin;
  }

  /** The globals a virtual Espruino board exposes for pins, as an object to install. */
  globals(): Record<string, unknown> {
    const nodemcu: Record<string, SimPin> = {};
    Object.keys(NODEMCU).forEach((k) => (nodemcu[k] = this.pins["D" + NODEMCU[k]]!));
    return Object.assign({}, this.pins, {
      NodeMCU: nodemcu,
      digitalRead: (pin: SimPin) => this.digitalRead(pin),
      digitalWrite: (pin: SimPin, value: boolean | number) => this.digitalWrite(pin, value),
      pinMode: (pin: SimPin, mode: SimPinMode) => this.pinMode(pin, mode),
      setWatch: (callback: Watch["callback"], pin: SimPin, options: { repeat?: boolean; edge?: string; debounce?: number }) => this.setWatch(callback, pin, options),
      clearWatch: (id?: number) => this.clearWatch(id),
      analogRead: (pin: SimPin) => this.analogRead(pin),
    });
  }

  // ---- the outside world ----

  /** Something drives the pin (true high, false low) or lets go (undefined). */
  drive(name: string, level: boolean | undefined): void {
    const pin = this.pin(name);
    const before = pin.level();
    pin.external = level;
    this.changed(pin, before);
  }

  /** After `delay` ms, drives `level`, holds it `duration` ms, then lets go. */
  press(name: string, options: { delay?: number; duration: number; level?: boolean }): void {
    const level = options.level ?? false;
    this.clock.setTimeout(() => this.drive(name, level), options.delay ?? 0);
    this.clock.setTimeout(() => this.drive(name, undefined), (options.delay ?? 0) + options.duration);
  }

  /**
   * A contact that bounces: starting after `delay` ms, toggles `count` times every
   * `interval` ms between `level` and released, ending on `level` (pressed) when
   * `settle` is true, released otherwise.
   */
  bounce(name: string, options: { delay?: number; count: number; interval: number; level?: boolean; settle?: boolean }): void {
    const level = options.level ?? false;
    const start = options.delay ?? 0;
    for (let i = 0; i < options.count; i++) {
      const pressed = i % 2 === 0;
      this.clock.setTimeout(() => this.drive(name, pressed ? level : undefined), start + i * options.interval);
    }
    const final = options.settle ?? true;
    this.clock.setTimeout(() => this.drive(name, final ? level : undefined), start + options.count * options.interval);
  }

  setVoltage(name: string, volts: number): void {
    this.pin(name).voltage = volts;
  }

  // ---- Espruino's functions ----

  digitalRead(pin: SimPin): number {
    if (pin.mode === "auto") pin.mode = "input";
    return pin.level() ? 1 : 0;
  }

  digitalWrite(pin: SimPin, value: boolean | number): void {
    const before = pin.level();
    if (pin.mode === "auto") pin.mode = "output"; // Espruino switches an automatic pin to output
    pin.output = !!value;
    this.changed(pin, before);
  }

  pinMode(pin: SimPin, mode: SimPinMode): void {
    const before = pin.level();
    pin.mode = mode;
    this.changed(pin, before);
  }

  analogRead(pin: SimPin): number {
    const steps = (1 << this.adc.bits) - 1;
    const fraction = Math.min(1, Math.max(0, pin.voltage / this.adc.fullScale));
    return Math.round(fraction * steps) / steps;
  }

  setWatch(callback: Watch["callback"], pin: SimPin, options: { repeat?: boolean; edge?: string; debounce?: number }): number {
    const edge = options.edge === "rising" || options.edge === "falling" ? options.edge : "both";
    const watch: Watch = {
      id: this.nextId++, pin, callback, edge, debounce: options.debounce ?? 0, repeat: !!options.repeat,
      reported: pin.level(), lastTime: undefined, timer: undefined, edgeTime: 0,
    };
    this.watches.push(watch);
    return watch.id;
  }

  clearWatch(id?: number): void {
    // Espruino: clearWatch() with no argument clears every watch
    const gone = this.watches.filter((w) => id === undefined || w.id === id);
    gone.forEach((w) => this.clock.clearTimeout(w.timer));
    this.watches = this.watches.filter((w) => gone.indexOf(w) < 0);
  }

  /** Number of active watches (tests check that close() clears its own). */
  get watchCount(): number {
    return this.watches.length;
  }

  // ---- internals ----

  private changed(pin: SimPin, before: boolean): void {
    const level = pin.level();
    if (level === before) return;
    const now = this.clock.now();
    this.watches.filter((w) => w.pin === pin).forEach((w) => {
      if (w.debounce <= 0) {
        // queued with the exact edge time, delivered from the idle loop
        this.clock.setTimeout(() => this.fire(w, level, now), 0);
        return;
      }
      this.clock.clearTimeout(w.timer);
      w.edgeTime = now;
      w.timer = this.clock.setTimeout(() => {
        w.timer = undefined;
        this.fire(w, pin.level(), w.edgeTime);
      }, w.debounce);
    });
  }

  private fire(w: Watch, state: boolean, time: number): void {
    if (this.watches.indexOf(w) < 0) return;
    if (w.debounce > 0 && state === w.reported) return; // bounced back: nothing happened
    w.reported = state;
    const lastTime = w.lastTime;
    w.lastTime = time; // advances whether or not the edge is one the watch wants
    if ((w.edge === "rising" && !state) || (w.edge === "falling" && state)) return;
    const event: { state: boolean; time: number; lastTime?: number } = { state, time: time / 1000 };
    if (lastTime !== undefined) event.lastTime = lastTime / 1000;
    if (!w.repeat) this.clearWatch(w.id);
    w.callback(event);
  }
}
