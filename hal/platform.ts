// One object hands the firmware everything platform-specific (design.md §2): buses and pins
// by the names used in boards/*.json, the clock, storage and the log. firmware/ and
// hal/drivers/ receive it and touch no globals; hal/espruino/platform.ts builds the real one.
import type { Clock } from "./clock";
import type { I2CBus } from "./i2c";
import type { OneWireBus } from "./onewire";
import type { DigitalPin } from "./gpio";
import type { AnalogInput } from "./analog";
import type { Storage } from "./storage";

export type LogLevel = "debug" | "info" | "warn" | "error";

export interface Platform {
  clock: Clock;
  storage: Storage;
  log(level: LogLevel, message: string): void;
  /** The I2C bus named in the board's "i2c" list ("i2c0"); `invalid-options` if unknown. */
  i2c(name: string): I2CBus;
  /** The 1-Wire bus named in the board's "onewire" list; `invalid-options` if unknown. */
  oneWire(name: string): OneWireBus;
  /** A pin by Espruino's name: "D4", "NodeMCU.D2". */
  pin(name: string): DigitalPin;
  /** An analog input by pin name ("D34" on ESP32, "A0" on ESP8266). */
  analog(name: string): AnalogInput;
}

/** The part of a board file the platform needs (structurally the same as boards/schema.ts). */
export interface PlatformConfig {
  board: string;
  i2c?: { name: string; scl: string; sda: string; bitrate?: number }[];
  onewire?: { name: string; pin: string }[];
}
