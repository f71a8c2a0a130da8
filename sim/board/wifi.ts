// Espruino's require("Wifi") on ESP32 / ESP8266, simulated: joining always succeeds (after
// a short, seeded association + DHCP time) unless a fault says otherwise. API and events
// from libs/network/jswrap_wifi.c and the ESP32/ESP8266 implementations:
//  - connect(ssid, {password}, callback(err)): callback(null) once an IP is obtained; the
//    only error ever reported is "Bad password" (others just retry);
//  - events 'associated' {ssid, mac, channel}, 'connected' {ip, netmask, gw},
//    'disconnected' {ssid, mac, reason};
//  - getIP() -> {ip, netmask, gw, mac} (ip fields omitted while not connected);
//    getStatus() -> {mode, station, ap, phy, powersave, savedMode};
//    getDetails() -> {status, rssi, ssid, password, authMode, savedSsid};
//  - setSNTP(server, zone): ESP32 wants a POSIX TZ STRING (it calls setenv("TZ", zone):
//    a number throws "Zone is not a string"); ESP8266 wants a NUMBER in -11..13 ("Zone is not
//    a number", "Zone must be in range -11..13"). The first sync comes asynchronously: ESP8266
//    polls 100 ms after setSNTP (then every 30 s), ESP32's lwIP SNTP takes about a second.
//    After it, getTime() is the wall clock (ESP8266: plus zone hours, as its SDK reports
//    local time).
// After a drop the station reconnects by itself (both SDKs retry), firing the events again.
import { macString } from "./profile";

export interface WifiRuntime {
  board: "ESP32" | "ESP8266";
  mac: Uint8Array;
  /** Seeded uniform [0, 1). */
  random(): number;
  /** On the board's clock, from the event loop. */
  after(ms: number, fn: () => void): void;
  object(source?: Record<string, unknown>): Record<string, any>;
  invoke(fn: unknown, self: unknown, args: unknown[]): void;
  error(message: string): Error;
  /** Sets getTime() to the wall clock (+ offsetHours). */
  syncTime(offsetHours: number): void;
  event(type: string, data: Record<string, unknown>): void;
  /** The simulated access point and its faults (shared across boots of a board). */
  network: WifiNetwork;
}

/** The radio environment of one board; outlives its boots (the AP does not reboot with it). */
export class WifiNetwork {
  /** The access point answers (false: out of range / powered off). */
  available = true;
  /** A wrong password is refused ("Bad password"). */
  password: string | undefined;
  /** Mean RSSI (dBm) and its spread. */
  rssi = -62;
  rssiSpread = 4;
  /** Association + DHCP time, ms, and its spread. */
  joinTime = 1200;
  /** Listeners of the current boot's Wifi module (so faults reach it). */
  listeners = new Set<{ drop(reason: string): void; restore(): void }>();

  /** The AP disappears: connected stations see 'disconnected' and keep retrying. */
  drop(reason = "beacon_timeout"): void {
    this.available = false;
    this.listeners.forEach((l) => l.drop(reason));
  }

  restore(): void {
    this.available = true;
    this.listeners.forEach((l) => l.restore());
  }
}

type Station = "off" | "connecting" | "connected" | "wrong_password" | "no_ap_found";

export function wifiModule(runtime: WifiRuntime): { module: Record<string, any>; online(): boolean; close(): void } {
  const module = runtime.object();
  let station: Station = "off";
  let ssid: string | undefined;
  let password: string | undefined;
  let savedSsid: string | null = null;
  let hostname = "espruino";
  let attempt = 0;
  let ip: { ip: string; netmask: string; gw: string } | undefined;
  const mac = macString(runtime.mac);
  const apMac = "b0:be:76:" + macString(runtime.mac.slice(3));

  const emit = (event: string, details: Record<string, unknown>) => {
    const listeners = module["#on" + event];
    if (!listeners) return;
    const list = typeof listeners === "function" ? [listeners] : Array.prototype.slice.call(listeners);
    list.forEach((fn: unknown) => runtime.invoke(fn, module, [runtime.object(details)]));
  };

  const joinDelay = () => Math.round(runtime.network.joinTime * (0.75 + 0.5 * runtime.random()));

  function join(callback: unknown): void {
    const mine = ++attempt;
    station = "connecting";
    runtime.after(joinDelay(), () => {
      if (mine !== attempt || station !== "connecting") return;
      const net = runtime.network;
      if (net.password !== undefined && net.password !== password) {
        station = "wrong_password";
        runtime.event("wifi", { state: "wrong_password", ssid });
        if (typeof callback === "function") runtime.invoke(callback, undefined, ["Bad password"]);
        return;
      }
      if (!net.available) {
        // no AP: keep trying (the callback waits, as on the board)
        station = "no_ap_found";
        runtime.after(3000, () => {
          if (mine === attempt && station === "no_ap_found") join(callback);
        });
        return;
      }
      const host = 100 + (runtime.mac[5]! % 100);
      ip = { ip: "192.168.4." + host, netmask: "255.255.255.0", gw: "192.168.4.1" };
      station = "connected";
      runtime.event("wifi", { state: "connected", ssid, ip: ip.ip });
      emit("associated", { ssid, mac: apMac, channel: 6 });
      emit("connected", { ip: ip.ip, netmask: ip.netmask, gw: ip.gw });
      if (typeof callback === "function") runtime.invoke(callback, undefined, [null]);
    });
  }

  const listener = {
    drop(reason: string) {
      if (station !== "connected") return;
      ip = undefined;
      station = "connecting";
      runtime.event("wifi", { state: "disconnected", ssid, reason });
      emit("disconnected", { ssid, mac: apMac, reason });
      join(undefined);
    },
    restore() {
      /* the retry loop notices */
    },
  };
  runtime.network.listeners.add(listener);

  module.connect = function (name: unknown, options?: unknown, callback?: unknown): void {
    if (typeof options === "function") {
      callback = options;
      options = undefined;
    }
    const newSsid = String(name);
    const newPassword = options && typeof options === "object" ? ((options as { password?: unknown }).password as string | undefined) : undefined;
    if (station === "connected" && newSsid === ssid && newPassword === password) {
      if (typeof callback === "function") runtime.after(0, () => runtime.invoke(callback, undefined, [null]));
      return;
    }
    ssid = newSsid;
    password = newPassword;
    ip = undefined;
    runtime.event("wifi", { state: "connecting", ssid });
    join(callback);
  };
  module.disconnect = function (callback?: unknown): void {
    const was = station;
    attempt++;
    station = "off";
    ip = undefined;
    runtime.after(0, () => {
      if (was === "connected") {
        runtime.event("wifi", { state: "disconnected", ssid, reason: "assoc_leave" });
        emit("disconnected", { ssid, mac: apMac, reason: "assoc_leave" });
      }
      if (typeof callback === "function") runtime.invoke(callback, undefined, []);
    });
  };
  const reply = <T>(value: T, callback: unknown, withError: boolean): T => {
    if (typeof callback === "function") runtime.after(0, () => runtime.invoke(callback, undefined, withError ? [null, value] : [value]));
    return value;
  };
  module.getIP = function (callback?: unknown) {
    return reply(runtime.object(ip ? { ...ip, mac } : { mac }), callback, true);
  };
  module.getStatus = function (callback?: unknown) {
    const mode = station === "off" ? "off" : "sta";
    return reply(runtime.object({ mode, station, ap: "disabled", phy: "11n", powersave: "ps-poll", savedMode: savedSsid ? "sta" : "off" }), callback, false);
  };
  module.getDetails = function (callback?: unknown) {
    const details: Record<string, unknown> = { status: station, ssid, password, authMode: password ? "wpa2" : "open", savedSsid };
    if (station === "connected") {
      const net = runtime.network;
      details.rssi = Math.round(net.rssi + (runtime.random() * 2 - 1) * net.rssiSpread);
    }
    return reply(runtime.object(details), callback, false);
  };
  let sntpGeneration = 0;
  module.setSNTP = function (server: unknown, zone: unknown): void {
    let offset = 0;
    if (runtime.board === "ESP8266") {
      if (typeof zone !== "number" && !(typeof zone === "string" && zone.trim() !== "" && !isNaN(Number(zone)))) throw runtime.error("Zone is not a number");
      offset = Math.trunc(Number(zone));
      if (offset < -11 || offset > 13) throw runtime.error("Zone must be in range -11..13");
    } else if (typeof zone !== "string") throw runtime.error("Zone is not a string");
    if (typeof server !== "string") throw runtime.error("Server is not a string");
    runtime.event("wifi", { state: "sntp", server, zone });
    // one SNTP client: a new setSNTP restarts it (sntp_stop + sntp_init), the old polls end
    const generation = ++sntpGeneration;
    const poll = () => {
      if (generation !== sntpGeneration) return;
      if (station === "connected") {
        runtime.syncTime(offset);
        runtime.event("sntp-sync", { server });
        // lwIP's SNTP polls again every hour (SNTP_UPDATE_DELAY, ESP-IDF's default too): a clock
        // that jumped is put right at the next poll.
        runtime.after(3_600_000, poll);
      } else runtime.after(runtime.board === "ESP8266" ? 30_000 : 1000, poll);
    };
    runtime.after(runtime.board === "ESP8266" ? 100 : 1000, poll);
  };
  module.getHostname = function (callback?: unknown) {
    return reply(hostname, callback, false);
  };
  module.setHostname = function (name: unknown, callback?: unknown): void {
    hostname = String(name);
    if (typeof callback === "function") runtime.after(0, () => runtime.invoke(callback, undefined, []));
  };
  module.save = function (what?: unknown): void {
    savedSsid = what === "clear" ? null : (ssid ?? null);
  };
  module.restore = function (): void {};
  module.scan = function (callback?: unknown): void {
    const found = runtime.network.available ? [runtime.object({ ssid: ssid ?? "sensornode-sim", mac: apMac, authMode: "wpa2", channel: 6, hidden: false, rssi: runtime.network.rssi })] : [];
    if (typeof callback === "function") runtime.after(1500, () => runtime.invoke(callback, undefined, [found]));
  };
  module.startAP = function (_ssid: unknown, _options?: unknown, callback?: unknown): void {
    if (typeof callback === "function") runtime.after(0, () => runtime.invoke(callback, undefined, [null]));
  };
  module.stopAP = function (callback?: unknown): void {
    if (typeof callback === "function") runtime.after(0, () => runtime.invoke(callback, undefined, []));
  };
  module.setConfig = function (): void {};

  return {
    module,
    online: () => station === "connected",
    close: () => {
      attempt++;
      runtime.network.listeners.delete(listener);
    },
  };
}
