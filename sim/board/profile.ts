// What differs between the boards a VirtualBoard can be: the facts below come from
// Espruino's own sources (boards/ESP32.py, boards/ESP8266_4MB.py, libs/network/*) and from
// probes of the Linux build of 2v29; each is cited where it is used.
import type { BoardKind } from "../../boards/schema";
import { BUDGETS } from "../../tools/memory";

export interface BoardProfile {
  kind: BoardKind;
  /** process.env.BOARD: the board file's name in Espruino's boards/ folder. */
  boardName: string;
  /** Bytes of the Storage area: ESP32.py saved_code 224 pages x 4096; ESP8266_4MB.py 48 x 4096; the Linux build's 256 KB flash file. */
  flashBytes: number;
  /** JS variables and their size (tools/memory.ts budgets; the ESP8266_4MB build has 1,600). */
  variables: number;
  blockSize: number;
  /** Modules `require()` finds (others throw 'Module "x" not found'). */
  modules: string[];
  /** ESP32 and LINUX connect() blocks and throws on refusal; ESP8266's espconn is asynchronous. */
  connectErrors: "throw" | "event";
  /** Wifi module and the WiFi network (LINUX boards use the host's network: always up). */
  wifi: boolean;
  /** The deep-sleep global: ESP32.deepSleep / ESP8266.deepSleep. */
  sleepGlobal?: "ESP32" | "ESP8266";
  /** ESP32 keeps its RTC time across deep sleep; ESP8266 restarts its clock at 0. */
  timeSurvivesSleep: boolean;
  /** Hardware I2C globals (I2C1, I2C2) exist only on ESP32; ESP8266 has `new I2C()` only. */
  hardwareI2C: number;
  /** ADC: full scale and bits (ESP32 at 11 dB attenuation, ESP8266 A0 is 0-1 V). */
  adc: { fullScale: number; bits: number };
}

const ESPRUINO_MODULES = ["Storage", "Flash", "heatshrink"];

export const PROFILES: Record<BoardKind, BoardProfile> = {
  ESP32: {
    kind: "ESP32",
    boardName: "ESP32",
    flashBytes: 224 * 4096,
    variables: BUDGETS.ESP32.total,
    blockSize: BUDGETS.ESP32.blockSize,
    modules: [...ESPRUINO_MODULES, "net", "tls", "Wifi", "http", "crypto"],
    connectErrors: "throw",
    wifi: true,
    sleepGlobal: "ESP32",
    timeSurvivesSleep: true,
    hardwareI2C: 2,
    adc: { fullScale: 3.3, bits: 12 },
  },
  ESP8266: {
    kind: "ESP8266",
    boardName: "ESP8266_4MB",
    flashBytes: 48 * 4096,
    variables: BUDGETS.ESP8266.total,
    blockSize: BUDGETS.ESP8266.blockSize,
    // ESP8266 builds have no "tls" (design.md §3)
    modules: [...ESPRUINO_MODULES, "net", "Wifi", "http"],
    connectErrors: "event",
    wifi: true,
    sleepGlobal: "ESP8266",
    timeSurvivesSleep: false,
    hardwareI2C: 0,
    adc: { fullScale: 1.0, bits: 10 },
  },
  LINUX: {
    kind: "LINUX",
    boardName: "LINUX",
    flashBytes: 256 * 1024,
    variables: BUDGETS.LINUX.total,
    blockSize: BUDGETS.LINUX.blockSize,
    modules: [...ESPRUINO_MODULES, "net", "tls", "http", "fs", "crypto"],
    connectErrors: "throw",
    wifi: false,
    timeSurvivesSleep: true,
    hardwareI2C: 0,
    adc: { fullScale: 3.3, bits: 12 },
  },
};

/** Espruino's getSerial() over 6 MAC bytes (jswrap_interface_getSerial: hex, a '-' every 4 bytes). */
export function serialFromMac(mac: Uint8Array | number[]): string {
  let out = "";
  for (let i = 0; i < mac.length; i++) {
    if (i && (i & 3) === 0) out += "-";
    out += (mac[i]! | 0x100).toString(16).slice(1);
  }
  return out;
}

export function macString(mac: Uint8Array | number[]): string {
  return Array.prototype.map.call(mac, (b: number) => (b | 0x100).toString(16).slice(1)).join(":");
}
