// Digital pins and analog inputs over Espruino's globals: digitalRead/digitalWrite/pinMode,
// setWatch/clearWatch (times in seconds, converted to ms here), analogRead (0..1).
import type { AnalogInput } from "../analog";
import type { DigitalPin, PinEvent, PinMode, WatchOptions } from "../gpio";
import { resolvePin, type EspruinoPin } from "./pins";

declare function digitalRead(pin: EspruinoPin): number;
declare function digitalWrite(pin: EspruinoPin, value: boolean): void;
declare function pinMode(pin: EspruinoPin, mode: string): void;
declare function setWatch(
  callback: (event: { state: boolean; time: number; lastTime?: number }) => void,
  pin: EspruinoPin,
  options: { repeat: boolean; edge: string; debounce: number },
): number;
declare function clearWatch(id: number): void;
declare function analogRead(pin: EspruinoPin): number;

/**
 * One object per pin, its methods shared on the prototype: on an ESP8266 every function
 * object costs ~5 variables, so four closures per pin (the earlier shape) cost ~25 more
 * per pin than this.
 */
class EspruinoDigitalPin implements DigitalPin {
  pin: EspruinoPin;
  constructor(pin: EspruinoPin) {
    this.pin = pin;
  }
  read(): boolean {
    return !!digitalRead(this.pin);
  }
  write(value: boolean): void {
    digitalWrite(this.pin, !!value);
  }
  mode(mode: PinMode): void {
    pinMode(this.pin, mode);
  }
  watch(callback: (event: PinEvent) => void, options: WatchOptions): () => void {
    return watchPin(this.pin, callback, options.edge, options.debounce);
  }
}

/**
 * setWatch with times in ms, and the function that clears it. Made here, not inside watch():
 * a closure keeps its whole scope alive, and a smaller scope is fewer variables per pin.
 */
function watchPin(pin: EspruinoPin, callback: (event: PinEvent) => void, edge: string, debounce: number): () => void {
  let id: number | undefined = setWatch(
    function (e) {
      callback({ state: !!e.state, time: e.time * 1000, lastTime: e.lastTime === undefined ? NaN : e.lastTime * 1000 });
    },
    pin,
    { repeat: true, edge: edge, debounce: debounce },
  );
  return function (): void {
    // clearWatch(undefined) would clear EVERY watch on Espruino: only ever clear ours, once.
    if (id !== undefined) clearWatch(id);
    id = undefined;
  };
}

export function espruinoPin(name: string): DigitalPin {
  return new EspruinoDigitalPin(resolvePin(name));
}

export function espruinoAnalog(name: string): AnalogInput {
  const pin = resolvePin(name);
  return {
    read: function (): number {
      return analogRead(pin);
    },
  };
}
