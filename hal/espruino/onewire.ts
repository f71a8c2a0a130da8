// 1-Wire over Espruino's software OneWire class. On 2v29 select() performs the reset
// itself (jswrap_onewire.c "always performs a reset first"), read(count) returns a
// Uint8Array, search() returns ROM strings byte 0 first.
import type { OneWireBus } from "../onewire";
import { resolvePin } from "./pins";

export interface EspruinoOneWire {
  reset(): boolean;
  select(rom: string): void;
  skip(): void;
  write(data: number | number[] | Uint8Array, power?: boolean): void;
  read(count: number): Uint8Array;
  search(command?: number): string[];
}

declare const OneWire: { new (pin: unknown): EspruinoOneWire };

export function wrapOneWire(ow: EspruinoOneWire): OneWireBus {
  return {
    reset: function (): boolean {
      return !!ow.reset();
    },
    select: function (rom: string): void {
      ow.select(rom);
    },
    skip: function (): void {
      ow.skip();
    },
    write: function (bytes: number | number[] | Uint8Array, power?: boolean): void {
      ow.write(bytes, !!power);
    },
    read: function (count: number): Uint8Array {
      return ow.read(count);
    },
    search: function (command?: number): string[] {
      return ow.search(command || 0xf0);
    },
  };
}

export function openOneWire(pinName: string): OneWireBus {
  return wrapOneWire(new OneWire(resolvePin(pinName)));
}
