// WiFi station and SNTP over Espruino's "Wifi" module (ESP8266 and ESP32 builds), behind
// firmware/ports.ts's Network. Connects, reports every `disconnected` with its reason, and
// connects again after a pause; on every connection asks SNTP for the time
// (Wifi.setSNTP(server, tz): from then on Date.now() is wall time).
declare const global: { require(name: string): EspruinoWifi };
declare function setTimeout(callback: () => void, ms: number): unknown;

interface EspruinoWifi {
  connect(ssid: string, options: { password?: string }, callback: (error: unknown) => void): void;
  on(event: string, listener: (details: { reason?: unknown }) => void): void;
  getDetails(): { rssi?: number } | undefined;
  setSNTP(server: string, timezone: number | string): void;
}

/** Pause before connecting again after a drop or a failed attempt, ms. */
const RETRY = 5000;

export function espruinoWifi(ssid: string, password: string | undefined, sntp: string | undefined) {
  let wifi: EspruinoWifi | undefined;
  let waiting = false;
  const connect = function (down: (reason: string) => void): void {
    waiting = false;
    wifi!.connect(ssid, password ? { password: password } : {}, function (error) {
      if (error) {
        down("wifi: " + error);
        if (!waiting) {
          waiting = true;
          setTimeout(function () {
            connect(down);
          }, RETRY);
        }
      }
    });
  };
  return {
    start: function (up: () => void, down: (reason: string) => void): void {
      wifi = global.require("Wifi");
      wifi.on("connected", function () {
        // The zone is a number on ESP8266 (hours) but a POSIX TZ string on ESP32 ("Zone is not
        // a string" otherwise): numbers first, then the string. Readings are stamped in UTC.
        try {
          wifi!.setSNTP(sntp || "pool.ntp.org", 0);
        } catch {
          try {
            wifi!.setSNTP(sntp || "pool.ntp.org", "UTC0");
          } catch {
            // no SNTP on this build: timestamps stay off until the time is set otherwise
          }
        }
        up();
      });
      wifi.on("disconnected", function (details) {
        down("wifi: disconnected" + (details && details.reason !== undefined ? " (" + details.reason + ")" : ""));
        if (!waiting) {
          waiting = true;
          setTimeout(function () {
            connect(down);
          }, RETRY);
        }
      });
      connect(down);
    },
    rssi: function (): number | undefined {
      try {
        const details = wifi ? wifi.getDetails() : undefined;
        return details ? details.rssi : undefined;
      } catch {
        return undefined;
      }
    },
  };
}
