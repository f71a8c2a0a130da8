// hal/espruino/wifi.ts over a stand-in for Espruino's require("Wifi"): an image without the
// Wifi module reports it through `down` instead of throwing out of boot.
import { afterEach, describe, expect, it } from "vitest";
import { espruinoWifi } from "../../hal/espruino/wifi";

const scope = globalThis as unknown as { require?: (name: string) => unknown };
const saved = scope.require;

afterEach(() => {
  scope.require = saved;
});

describe("espruinoWifi", () => {
  it("reports a missing Wifi module through down(), without throwing", () => {
    scope.require = (name: string) => {
      throw new Error(`Module "${name}" not found`);
    };
    const reasons: string[] = [];
    let up = 0;
    expect(() => espruinoWifi("home", "x", undefined).start(() => up++, (reason) => reasons.push(reason))).not.toThrow();
    expect(up).toBe(0);
    expect(reasons).toEqual(['wifi: no Wifi module in this Espruino build (Module "Wifi" not found)']);
  });

  it("connects with the password and calls up() on `connected`", () => {
    const handlers: Record<string, (details: { reason?: unknown }) => void> = {};
    const calls: unknown[][] = [];
    scope.require = () => ({
      connect: (ssid: string, options: unknown, callback: (error: unknown) => void) => {
        calls.push([ssid, options]);
        callback(null);
        handlers.connected!({});
      },
      on: (event: string, listener: (details: { reason?: unknown }) => void) => {
        handlers[event] = listener;
      },
      setSNTP: () => {},
      getDetails: () => ({ rssi: -61 }),
    });
    let up = 0;
    const wifi = espruinoWifi("home", "secret", undefined);
    wifi.start(() => up++, () => {});
    expect(calls).toEqual([["home", { password: "secret" }]]);
    expect(up).toBe(1);
    expect(wifi.rssi()).toBe(-61);
  });
});
