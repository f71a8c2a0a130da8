// I2C over Espruino: hardware I2C1/I2C2 on ESP32 (`setup({scl, sda, bitrate})`), software
// `new I2C()` elsewhere (the ESP8266 has no hardware I2C). Espruino reports a missing
// device differently per implementation; this adapter turns all of them into `nack`:
//  - ESP32 hardware (targets/esp32/jshardwareI2c.c checkError): ESP_FAIL throws
//    "...slave doesn't ACK the transfer"; ESP_ERR_TIMEOUT "...bus is busy" (-> `bus`).
//  - Software I2C (src/jsi2c.c): the ACK bit is not checked (I2C_NACK_CHECK is off), so a
//    missing device does not throw at all: its reads come back as all ones (the pull-ups).
//    An all-ones read on a software bus is therefore reported as `nack`. A stuck line throws
//    "I2C Error: Timeout (...)" / "Arbitration (...)" (-> `bus`).
import { codedError, type CodedError } from "../errors";
import type { I2CBus } from "../i2c";
import { resolvePin } from "./pins";

/** The Espruino I2C object, hardware or software. */
export interface EspruinoI2C {
  setup(options: { scl: unknown; sda: unknown; bitrate?: number }): void;
  writeTo(address: number | { address: number; stop: boolean }, data: Uint8Array | number[]): void;
  readFrom(address: number | { address: number; stop: boolean }, quantity: number): Uint8Array;
}

declare const I2C1: EspruinoI2C | undefined;
declare const I2C2: EspruinoI2C | undefined;
declare const I2C: { new (): EspruinoI2C };

function busError(error: unknown): CodedError {
  const message = "" + ((error && (error as Error).message) || error);
  // Upper-case "ACK" matches "doesn't ACK" and "got NACK" but not "stack".
  return codedError(message.indexOf("ACK") >= 0 || message.indexOf("not respond") >= 0 ? "nack" : "bus", "i2c: " + message);
}

/** Wraps an Espruino I2C object; `software` enables the all-ones = absent rule above. */
export function wrapI2C(i2c: EspruinoI2C, software: boolean): I2CBus {
  return {
    write: function (address: number, bytes: Uint8Array | number[], stop?: boolean): void {
      try {
        i2c.writeTo(stop === false ? { address: address, stop: false } : address, bytes);
      } catch (error) {
        throw busError(error);
      }
    },
    read: function (address: number, length: number): Uint8Array {
      let data: Uint8Array;
      try {
        data = i2c.readFrom(address, length);
      } catch (error) {
        throw busError(error);
      }
      if (software) {
        let all = 0xff;
        for (let i = 0; i < length; i++) all &= data[i]!;
        if (all === 0xff) throw codedError("nack", "i2c: no answer from 0x" + address.toString(16));
      }
      return data;
    },
  };
}

/** The `index`-th I2C bus of a board: hardware on ESP32 (I2C1, I2C2), software otherwise. */
export function openI2C(board: string, index: number, bus: { scl: string; sda: string; bitrate?: number }): I2CBus {
  let i2c: EspruinoI2C | undefined;
  if (board === "ESP32") i2c = index === 0 && typeof I2C1 !== "undefined" ? I2C1 : index === 1 && typeof I2C2 !== "undefined" ? I2C2 : undefined;
  const software = !i2c;
  if (!i2c) i2c = new I2C();
  i2c.setup({ scl: resolvePin(bus.scl), sda: resolvePin(bus.sda), bitrate: bus.bitrate || 100000 });
  return wrapI2C(i2c, software);
}
