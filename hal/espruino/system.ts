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

export function espruinoSystem(board: string) {
  const esp32 = board === "ESP32" && typeof ESP32 !== "undefined" ? ESP32 : undefined;
  const esp8266 = board === "ESP8266" && typeof ESP8266 !== "undefined" ? ESP8266 : undefined;
  return {
    wallTime: function (): number {
      return Date.now();
    },
    resetReason: function (): string {
      try {
        if (esp8266) {
          const code = esp8266.getResetInfo().reason;
          // The words in the function's text (flash), not a module-level array (~23 variables).
          return "power on,hardware watchdog,exception,software watchdog,software restart,deep sleep,external reset".split(",")[code] || "code " + code;
        }
        // ESP_SLEEP_WAKEUP_TIMER = 4: a wake from deep sleep; anything else is a reset.
        if (esp32) return esp32.getWakeupCause() === 4 ? "deep sleep" : "reset";
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
    maxSleep: esp32 ? 2100000 : 4200000,
    deepSleep: function (ms: number): void {
      if (esp32) esp32.deepSleep(ms * 1000);
      else if (esp8266) esp8266.deepSleep(ms * 1000);
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
}
