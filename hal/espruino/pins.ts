// Pins by Espruino's names. "D4" is a global Pin; "NodeMCU.D2" is a property of the
// NodeMCU global on ESP8266 NodeMCU builds; "A0" is the ESP8266 analog pin.
import { codedError } from "../errors";

/** Espruino's Pin object (opaque here). */
export type EspruinoPin = unknown;

/** Espruino's global scope object (`global`; the build gate bans `globalThis`). */
declare const global: Record<string, unknown>;

export function resolvePin(name: string): EspruinoPin {
  const scope = global as Record<string, Record<string, EspruinoPin> | undefined>;
  const dot = name.indexOf(".");
  const owner = dot > 0 ? scope[name.substr(0, dot)] : (scope as Record<string, EspruinoPin>);
  const pin = owner ? (owner as Record<string, EspruinoPin>)[dot > 0 ? name.substr(dot + 1) : name] : undefined;
  if (pin === undefined || pin === null) throw codedError("invalid-options", "no pin named " + name + " on this board");
  return pin;
}
