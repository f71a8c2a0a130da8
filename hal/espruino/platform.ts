// The Platform over Espruino, built from the board file: buses by their board names,
// opened on first use and shared by every sensor on them.
import { codedError } from "../errors";
import type { I2CBus } from "../i2c";
import type { OneWireBus } from "../onewire";
import type { LogLevel, Platform, PlatformConfig } from "../platform";
import type { Storage } from "../storage";
import { espruinoClock } from "./clock";
import { espruinoAnalog, espruinoPin } from "./gpio";
import { openI2C } from "./i2c";
import { openOneWire } from "./onewire";
import { openStorage } from "./storage";

/** What a left-out adapter does: one top-level function for all of them (no closure per platform). */
function notInBuild(name: string): never {
  throw codedError("invalid-options", "no 1-Wire bus or analog input " + name + " in this build");
}

export function createEspruinoPlatform(config: PlatformConfig): Platform {
  // Only the bus lists: the closures below keep their scope for the node's life, and the
  // whole board config in it would be ~60 variables on an ESP8266.
  return platformOf(config.board, config.i2c || [], config.onewire || []);
}

function platformOf(board: string, buses: NonNullable<PlatformConfig["i2c"]>, wires: NonNullable<PlatformConfig["onewire"]>): Platform {
  const i2c: Record<string, I2CBus> = {};
  const oneWire: Record<string, OneWireBus> = {};
  let storage: Storage | undefined;
  function unknown(kind: string, name: string): Error {
    return codedError("invalid-options", "no " + kind + " bus named " + name);
  }
  return {
    clock: espruinoClock,
    get storage(): Storage {
      if (!storage) storage = openStorage();
      return storage;
    },
    log: function (level: LogLevel, message: string): void {
      console.log(level + ": " + message);
    },
    i2c: function (name: string): I2CBus {
      if (!i2c[name]) {
        let index = -1;
        for (let i = 0; i < buses.length; i++) if (buses[i]!.name === name) index = i;
        if (index < 0) throw unknown("i2c", name);
        i2c[name] = openI2C(board, index, buses[index]!);
      }
      return i2c[name]!;
    },
    // Boards without a 1-Wire bus or an analog sensor leave those adapters out (hal/features.d.ts).
    oneWire: !SENSORNODE_FEATURES.oneWire ? notInBuild : function (name: string): OneWireBus {
      if (!oneWire[name]) {
        const bus = wires.filter(function (b) {
          return b.name === name;
        })[0];
        if (!bus) throw unknown("1-Wire", name);
        oneWire[name] = openOneWire(bus.pin);
      }
      return oneWire[name]!;
    },
    pin: espruinoPin,
    analog: SENSORNODE_FEATURES.analog ? espruinoAnalog : notInBuild,
  };
}
