// Small files over Espruino's Storage module (flash). Storage.read returns undefined for a
// missing file; write returns false or, on 2v29, THROWS ("Unable to find or create file")
// when flash is full: both become the coded error "bus".
import { codedError } from "../errors";
import type { Storage } from "../storage";

export interface EspruinoStorage {
  read(name: string): string | undefined;
  write(name: string, data: string): boolean;
  erase(name: string): void;
  list(): string[];
}

// Through global.require, not a bare require("Storage"): esbuild would try to bundle
// "Storage", or wrap it in a __require shim built on Proxy, which Espruino lacks.
declare const global: { require(name: "Storage"): EspruinoStorage };

export function wrapStorage(flash: EspruinoStorage): Storage {
  return {
    read: function (name: string): string | undefined {
      return flash.read(name);
    },
    write: function (name: string, data: string): void {
      let written: boolean;
      try {
        written = flash.write(name, data) !== false;
      } catch {
        written = false;
      }
      if (!written) throw codedError("bus", "storage: cannot write " + name + " (flash full?)");
    },
    erase: function (name: string): void {
      flash.erase(name);
    },
    list: function (): string[] {
      return flash.list();
    },
  };
}

export function openStorage(): Storage {
  return wrapStorage(global.require("Storage"));
}
