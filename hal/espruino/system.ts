// System services over Espruino's globals, behind firmware/ports.ts's System: wall time,
// reset reason, chip serial, free variables, deep sleep, reboot, and the `kill` event.
// ESP32.deepSleep is capped near 35 minutes under Espruino, ESP8266.deepSleep by its 32-bit
// microsecond counter (~71 min, and it needs GPIO16 wired to RST); LINUX has no deep sleep,
// so there a "sleep" is a timer and a fresh start of the code.
declare const E: { reboot?: () => void; on(event: string, listener: () => void): void };
declare const ESP32: { deepSleep(us: number): void; getWakeupCause(): number } | undefined;
declare const ESP8266: { deepSleep(us: number): void; getResetInfo(): { reason: number } } | undefined;
declare const process: { memory(): { free: number } };
declare function getSerial(): string;
declare function setTimeout(callback: () => void, ms: number): unknown;
declare function load(): void;
declare function reset(): void;

// ESP8266 rst_info.reason (Espressif SDK): the index is the code.

// One module-level object, its methods made once with no enclosing scope (closures made per
// call would cost ~1 variable more each, plus their scope, on an ESP8266). The chip objects
// are looked up when a method runs; `board` says which one the build is for.
let kind = "";

function esp32(): { deepSleep(us: number): void; getWakeupCause(): number } | undefined {
  return kind === "ESP32" && typeof ESP32 !== "undefined" ? ESP32 : undefined;
}

function esp8266(): { deepSleep(us: number): void; getResetInfo(): { reason: number } } | undefined {
  return kind === "ESP8266" && typeof ESP8266 !== "undefined" ? ESP8266 : undefined;
}

const system = {
  wallTime: function (): number {
    return Date.now();
  },
  resetReason: function (): string {
    try {
      const chip = esp8266();
      if (chip) {
        const code = chip.getResetInfo().reason;
        // The words in the function's text (flash), not a module-level array (~23 variables).
        return "power on,hardware watchdog,exception,software watchdog,software restart,deep sleep,external reset".split(",")[code] || "code " + code;
      }
      // ESP_SLEEP_WAKEUP_TIMER = 4: a wake from deep sleep; anything else is a reset.
      const other = esp32();
      if (other) return other.getWakeupCause() === 4 ? "deep sleep" : "reset";
    } catch {
      // older builds
    }
    return "unknown";
  },
  serial: function (): string {
    try {
      return getSerial();
    } catch {
      return "0";
    }
  },
  freeVariables: function (): number {
    return process.memory().free;
  },
  maxSleep: 4200000,
  deepSleep: function (ms: number): void {
    const chip = esp32() || esp8266();
    if (chip) chip.deepSleep(ms * 1000);
    else
      setTimeout(function () {
        load();
      }, ms);
  },
  reboot: function (): void {
    if (E.reboot) E.reboot();
    else reset();
  },
  /** Espruino's `kill` event: reset(), load() or a reboot is about to happen. */
  onKill: function (handler: () => void): void {
    E.on("kill", handler);
  },
};

export function espruinoSystem(board: string): typeof system {
  kind = board;
  system.maxSleep = esp32() ? 2100000 : 4200000;
  return system;
}
