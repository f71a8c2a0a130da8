// One boot of a virtual board: its realm (RAM: gone at the next boot), its timers, its
// sockets, and the globals Espruino gives a program. VirtualBoard (board.ts) owns what
// outlives a boot (flash, hardware, clock, the event log) and starts a new Boot each time.
//
// Semantics measured on Espruino 2v29 (Linux build) unless cited otherwise:
//  - timers: ids are 1 + the highest live id (1 again once all are cleared); a callback may
//    be a function or a string of code; anything else throws "Function or String not
//    supplied!"; extra arguments are passed on; same-time timers fire in creation order;
//    an interval that throws keeps running; clearTimeout() with NO argument clears every
//    timer, clearTimeout(undefined) throws "clearTimeout(undefined) not allowed. Use
//    clearTimeout() instead" (clearInterval likewise), an unknown id is ignored;
//  - an uncaught exception prints "Uncaught <Error>" and the program goes on
//    (jsinteractive.c jsiCheckErrors), unless process.on('uncaughtException') takes it;
//  - every object has on/emit/removeListener/removeAllListeners; listeners live in an
//    enumerable "#on<event>" property; emit() QUEUES the calls (they run after the caller);
//  - E.on('init') runs after the boot code (jsiSemiInit), E.on('kill') before reset/reboot
//    but NOT on deep sleep or power loss (jswrap_espruino.c);
//  - E.toString(...) / E.toUint8Array(...) take numbers (one byte), strings, arrays, typed
//    arrays and {data, count}; bytes are & 255.
import type { Clock, TimerHandle } from "../../hal/clock";
import { socketHost, type SocketHost } from "./socket-host";
import { storageModule, type FlashStorage } from "./flash";
import { errorText, formatArgs } from "./format";
import { netModule, type LiveSocket, type NetworkOptions } from "./net";
import { PROFILES, serialFromMac, type BoardProfile } from "./profile";
import { createRealm, describeMissing, type Realm } from "./realm";
import { wifiModule, type WifiNetwork } from "./wifi";

/** Thrown through the firmware's stack when the board stops (ESP32.deepSleep never returns). */
export class BoardHalted {
  constructor(readonly reason: string) {}
}

export type ResetReason = "power-on" | "deep-sleep" | "software" | "watchdog" | "reset-pin";

/** The simulated hardware a board hangs its pins and buses on (see hardware.ts). */
export interface BoardHardware {
  /** Pin globals and pin functions in Espruino's form: D0.., NodeMCU, digitalRead, setWatch, ... */
  gpio?: { globals(): Record<string, unknown>; clearWatch(id?: number): void };
  /** The I2C bus wired to these pins (Espruino's setup/writeTo/readFrom API), if any. */
  i2c?(scl: string, sda: string, mode: "hardware" | "software"): EspruinoI2CLike | undefined;
  /** The 1-Wire bus on this pin (Espruino's OneWire API), if any. */
  oneWire?(pin: string): EspruinoOneWireLike | undefined;
}

export interface EspruinoI2CLike {
  setup(options: Record<string, unknown>): void;
  writeTo(address: unknown, ...data: unknown[]): void;
  readFrom(address: unknown, quantity: number): Uint8Array;
}

export interface EspruinoOneWireLike {
  reset(): boolean;
  select(rom: string): void;
  skip(): void;
  write(data: unknown, power?: boolean): void;
  read(count?: number): number | Uint8Array;
  search(command?: number): string[];
}

/** What a Boot needs from its board. */
export interface BootHost {
  readonly name: string;
  readonly kind: BoardProfile["kind"];
  readonly clock: Clock;
  readonly flash: FlashStorage;
  readonly mac: Uint8Array;
  readonly hardware: BoardHardware;
  readonly network: NetworkOptions;
  readonly wifiNetwork: WifiNetwork;
  readonly env: Record<string, string>;
  readonly socketHost?: SocketHost;
  /** Wall-clock ms at clock time 0 (what SNTP would say). */
  readonly epoch: number;
  /**
   * The board's real-time clock, shared with the board: getTime() is 0 at clock time
   * `rtcOrigin` (ESP32 keeps it across deep sleep), plus `timeOffset` seconds from setTime / SNTP.
   */
  readonly rtc: { rtcOrigin: number; timeOffset: number };
  readonly resetReason: ResetReason;
  readonly boots: number;
  /** Estimated variables taken by the code itself. */
  readonly codeVariables: number;
  random(): number;
  print(text: string): void;
  event(type: string, data: Record<string, unknown>): void;
  /** The boot asks to stop: sleep (ms, or undefined = until woken), reboot, or watchdog reset. */
  halt(how: { type: "sleep"; ms: number | undefined } | { type: "reboot" } | { type: "watchdog" }): void;
}

interface Timer {
  id: number;
  handle: TimerHandle;
  callback: unknown;
  args: unknown[];
  interval: number | undefined;
  due: number;
}

export class Boot {
  readonly realm: Realm;
  readonly profile: BoardProfile;
  readonly sockets = new Set<LiveSocket>();
  private readonly host: BootHost;
  private timers = new Map<number, Timer>();
  private alive = true;
  private modules: Record<string, unknown> = {};
  private wifi: ReturnType<typeof wifiModule> | undefined;
  private watchdog: { timeout: number; auto: boolean; handle: TimerHandle | undefined } | undefined;

  constructor(host: BootHost) {
    this.host = host;
    this.profile = PROFILES[host.kind];
    this.realm = createRealm({});
    // Math.random from the board's seed too (backoff jitter, ids): the same seed gives the same run
    (this.realm.global.Math as { random: () => number }).random = () => host.random();
    this.install();
  }

  get running(): boolean {
    return this.alive;
  }

  get timerCount(): number {
    return this.timers.size;
  }

  /** Runs the boot code, then E.on('init') handlers. */
  run(code: string, filename: string): void {
    this.guard(() => this.realm.run(code, filename));
    if (!this.alive) return;
    const e = this.realm.global.E as Record<string, unknown>;
    this.listeners(e, "init").forEach((fn) => this.invoke(fn, e, []));
  }

  /** E.on('kill') handlers (before a reset / reboot / clean shutdown). */
  kill(): void {
    if (!this.alive) return;
    const e = this.realm.global.E as Record<string, unknown>;
    this.listeners(e, "kill").forEach((fn) => this.invoke(fn, e, []));
  }

  /** RAM is gone: timers stop, sockets go silent (the peer finds out on its own), watches cleared. */
  stop(): void {
    if (!this.alive) return;
    this.alive = false;
    this.timers.forEach((t) => this.host.clock.clearTimeout(t.handle));
    this.timers.clear();
    if (this.watchdog?.handle !== undefined) this.host.clock.clearTimeout(this.watchdog.handle);
    this.wifi?.close();
    this.host.hardware.gpio?.clearWatch();
  }

  // ---- the event loop ----

  /** Calls firmware code from the event loop: uncaught errors are reported, nothing runs once stopped. */
  invoke(fn: unknown, self: unknown, args: unknown[]): void {
    if (!this.alive) return;
    this.guard(() => {
      if (typeof fn === "function") fn.apply(self, args);
      else if (typeof fn === "string") this.realm.run(fn, "timer");
    });
  }

  private guard(body: () => void): void {
    try {
      body();
    } catch (error) {
      if (error instanceof BoardHalted) return;
      if (!this.alive) return;
      this.uncaught(error);
    }
  }

  private uncaught(error: unknown): void {
    const process = this.realm.global.process as Record<string, unknown>;
    const handlers = this.listeners(process, "uncaughtException");
    if (handlers.length) {
      handlers.forEach((fn) => this.invoke(fn, process, [error]));
      return;
    }
    const hint = describeMissing(error);
    const text = "Uncaught " + errorText(error);
    this.host.print(text);
    this.host.event("uncaught", { message: errorText(error), ...(hint ? { hint } : {}) });
    if (hint) this.host.print("  (simulator: " + hint + ")");
  }

  private defer(fn: () => void): void {
    if (!this.alive) return;
    this.host.clock.setTimeout(() => {
      if (this.alive) fn();
    }, 0);
  }

  private listeners(target: unknown, event: string): unknown[] {
    const value = (target as Record<string, unknown>)["#on" + event];
    if (value === undefined) return [];
    return typeof value === "function" ? [value] : Array.prototype.slice.call(value);
  }

  // ---- globals ----

  private install(): void {
    const g = this.realm.global;
    const realm = this.realm;
    const host = this.host;
    const listenersOf = (target: unknown, event: string) => this.listeners(target, event);
    const later = (fn: () => void) => this.defer(fn);
    const invoke = (fn: unknown, target: unknown, args: unknown[]) => this.invoke(fn, target, args);
    const define = (target: object, name: string, value: unknown, enumerable = false) =>
      Object.defineProperty(target, name, { value, writable: true, configurable: true, enumerable });

    // Every object is an event emitter on Espruino.
    const objectPrototype = Object.getPrototypeOf(realm.object({}));
    define(objectPrototype, "on", function (this: Record<string, unknown>, event: unknown, listener: unknown) {
      const key = "#on" + String(event);
      const current = this[key];
      if (current === undefined) this[key] = listener;
      else if (typeof current === "function") this[key] = realm.array([current, listener]);
      else (current as unknown[]).push(listener);
    });
    define(objectPrototype, "addListener", objectPrototype.on);
    define(objectPrototype, "prependListener", function (this: Record<string, unknown>, event: unknown, listener: unknown) {
      const key = "#on" + String(event);
      const current = this[key];
      if (current === undefined) this[key] = listener;
      else this[key] = realm.array([listener].concat(typeof current === "function" ? [current] : Array.prototype.slice.call(current)));
    });
    define(objectPrototype, "emit", function (this: Record<string, unknown>, event: unknown, ...args: unknown[]) {
      const list = listenersOf(this, String(event));
      if (list.length) later(() => list.forEach((fn) => invoke(fn, this, args)));
    });
    define(objectPrototype, "removeListener", function (this: Record<string, unknown>, event: unknown, listener: unknown) {
      const key = "#on" + String(event);
      const list = listenersOf(this, String(event)).filter((fn) => fn !== listener);
      if (!list.length) delete this[key];
      else this[key] = list.length === 1 ? list[0] : realm.array(list);
    });
    define(objectPrototype, "removeAllListeners", function (this: Record<string, unknown>, event?: unknown) {
      if (event !== undefined) delete this["#on" + String(event)];
      else Object.keys(this).forEach((k) => k.indexOf("#on") === 0 && delete this[k]);
    });

    // InternalError exists on Espruino (what net.connect throws), not in V8.
    const InternalError = realm.run(
      `(function () { function InternalError(message) { var e = new Error(message); Object.setPrototypeOf(e, InternalError.prototype); return e; }
        InternalError.prototype = Object.create(Error.prototype); InternalError.prototype.constructor = InternalError;
        InternalError.prototype.name = "InternalError"; return InternalError; })()`,
      "InternalError",
    ) as (message: string) => Error;
    define(g, "InternalError", InternalError);

    const print = (...args: unknown[]) => host.print(formatArgs(args));
    define(g, "print", print);
    const console = realm.object({});
    ["log", "debug", "info", "warn", "error", "trace"].forEach((name) => define(console, name, print));
    define(g, "console", console);

    this.installTimers(g);
    define(g, "getTime", () => this.time());
    define(g, "setTime", (seconds: number) => {
      host.rtc.timeOffset = Number(seconds) - (host.clock.now() - host.rtc.rtcOrigin) / 1000;
    });
    define(g, "getSerial", () => serialFromMac(host.mac));
    // Espruino's Date reads the same clock as getTime() (jswrap_date.c: jshGetSystemTime), so
    // before SNTP a new Date() is in 1970 and a clock jump moves it; V8's Date would say the host's time.
    const RealmDate = g.Date as DateConstructor;
    const now = () => Math.floor(this.time() * 1000);
    define(RealmDate, "now", now);
    define(
      g,
      "Date",
      new Proxy(RealmDate, {
        construct: (target, args: unknown[], newTarget) => Reflect.construct(target, args.length ? args : [now()], newTarget) as object,
        apply: () => new RealmDate(now()).toString(),
      }),
    );

    define(g, "process", this.processObject());
    define(g, "E", this.espruinoObject());
    define(g, "require", (name: unknown) => this.require(String(name)));
    define(g, "reset", () => {
      this.kill();
      host.halt({ type: "reboot" });
      throw new BoardHalted("reset");
    });
    if (this.profile.sleepGlobal) define(g, this.profile.sleepGlobal, this.sleepObject());
    this.installHardware(g);
    void InternalError;
  }

  private time(): number {
    const host = this.host;
    if (host.kind === "LINUX") return (host.epoch + host.clock.now()) / 1000 + host.rtc.timeOffset;
    return (host.clock.now() - host.rtc.rtcOrigin) / 1000 + host.rtc.timeOffset;
  }

  private installTimers(g: Record<string, unknown>): void {
    const clock = this.host.clock;
    const realm = this.realm;
    const nextId = () => {
      let max = 0;
      this.timers.forEach((_t, id) => (max = id > max ? id : max));
      return max + 1;
    };
    const arm = (timer: Timer, ms: number) => {
      timer.due = clock.now() + ms;
      timer.handle = clock.setTimeout(() => fire(timer), ms);
    };
    const fire = (timer: Timer) => {
      if (this.timers.get(timer.id) !== timer) return;
      if (timer.interval === undefined) this.timers.delete(timer.id);
      else arm(timer, timer.interval);
      this.invoke(timer.callback, undefined, timer.args);
    };
    const timers = this.timers;
    const create = (interval: boolean) =>
      function (callback: unknown, ms?: unknown, ...args: unknown[]): number {
        if (typeof callback !== "function" && typeof callback !== "string") throw new realm.Error("Function or String not supplied!");
        const delay = Math.max(0, Number(ms) || 0);
        const timer: Timer = { id: nextId(), handle: undefined, callback, args, interval: interval ? delay : undefined, due: 0 };
        timers.set(timer.id, timer);
        arm(timer, delay);
        return timer.id;
      };
    const clear = (name: string) =>
      function (...args: unknown[]): void {
        if (args.length === 0) {
          timers.forEach((t) => clock.clearTimeout(t.handle));
          timers.clear();
          return;
        }
        if (args[0] === undefined) throw new realm.Error(`${name}(undefined) not allowed. Use ${name}() instead`);
        const timer = timers.get(Number(args[0]));
        if (!timer) return;
        clock.clearTimeout(timer.handle);
        timers.delete(timer.id);
      };
    const define = (name: string, value: unknown) => Object.defineProperty(g, name, { value, writable: true, configurable: true, enumerable: false });
    define("setTimeout", create(false));
    define("setInterval", create(true));
    define("clearTimeout", clear("clearTimeout"));
    define("clearInterval", clear("clearInterval"));
    define("changeInterval", (id: unknown, ms: unknown) => {
      const timer = this.timers.get(Number(id));
      if (!timer) throw new realm.Error("Unknown Interval");
      clock.clearTimeout(timer.handle);
      if (timer.interval !== undefined) timer.interval = Math.max(0, Number(ms) || 0);
      arm(timer, Math.max(0, Number(ms) || 0));
    });
  }

  private processObject(): Record<string, unknown> {
    const host = this.host;
    const profile = this.profile;
    const env = this.realm.object({
      VERSION: "2v29",
      BOARD: profile.boardName,
      FLASH: 0,
      STORAGE: profile.flashBytes,
      SERIAL: serialFromMac(host.mac),
      CONSOLE: "Serial1",
      MODULES: profile.modules.join(","),
      ...host.env,
    });
    const memory = () => {
      // An ESTIMATE: the code's own variables (tools/memory.ts, from flash), plus a few per
      // timer, socket and listener. Espruino's real figure depends on its allocator.
      const usage = Math.min(profile.variables, host.codeVariables + this.timers.size * 3 + this.sockets.size * 20);
      return this.realm.object({ free: profile.variables - usage, usage, total: profile.variables, history: 0, gc: 0, gctime: 0, blocksize: profile.blockSize, estimated: true });
    };
    return this.realm.object({ env, version: "2v29", memory });
  }

  private espruinoObject(): Record<string, unknown> {
    const realm = this.realm;
    const host = this.host;
    const bytes = (args: unknown[]): number[] => {
      const out: number[] = [];
      const add = (value: unknown): void => {
        if (typeof value === "number") out.push(value & 0xff);
        else if (typeof value === "string") for (let i = 0; i < value.length; i++) out.push(value.charCodeAt(i) & 0xff);
        else if (value && typeof value === "object" && "data" in value) {
          const count = Number((value as { count?: unknown }).count ?? 1);
          for (let i = 0; i < count; i++) add((value as { data: unknown }).data);
        } else if (value && typeof (value as ArrayLike<unknown>).length === "number") Array.prototype.forEach.call(value as ArrayLike<unknown>, add);
        else if (Object.prototype.toString.call(value) === "[object ArrayBuffer]") add(new Uint8Array(value as ArrayBuffer));
      };
      args.forEach(add);
      return out;
    };
    const e = realm.object({
      toString: (...args: unknown[]) => byteString(bytes(args)),
      toUint8Array: (...args: unknown[]) => new realm.Uint8Array(bytes(args)),
      getErrorFlags: () => realm.array([]),
      reboot: () => {
        this.kill();
        host.halt({ type: "reboot" });
        throw new BoardHalted("reboot");
      },
      enableWatchdog: (timeout: unknown, isAuto?: unknown) => {
        // ESP8266: jshEnableWatchDog only logs (no watchdog); ESP32 rounds to whole seconds.
        if (this.profile.kind === "ESP8266") return;
        let seconds = Number(timeout);
        if (!(seconds >= 0)) seconds = 1;
        if (this.profile.kind === "ESP32") seconds = Math.max(1, Math.round(seconds));
        this.watchdog = { timeout: seconds * 1000, auto: isAuto === undefined || !!isAuto, handle: undefined };
        this.kickWatchdog();
      },
      kickWatchdog: () => this.kickWatchdog(),
      hwRand: () => Math.floor(host.random() * 0x100000000) | 0,
      getSizeOf: () => 1,
      getTemperature: () => 40,
      CRC32: (data: unknown) => crc32(bytes([data])),
      setTimeZone: () => undefined,
    });
    return e;
  }

  /** A watchdog with isAuto kicks itself from the idle loop: only a busy board (impossible here) trips it. */
  private kickWatchdog(): void {
    const w = this.watchdog;
    if (!w || !this.alive) return;
    if (w.handle !== undefined) this.host.clock.clearTimeout(w.handle);
    w.handle = undefined;
    if (w.auto) return;
    w.handle = this.host.clock.setTimeout(() => {
      if (!this.alive) return;
      this.host.event("watchdog", { timeout: w.timeout });
      this.host.halt({ type: "watchdog" });
    }, w.timeout);
  }

  private sleepObject(): Record<string, unknown> {
    const host = this.host;
    const realm = this.realm;
    const kind = this.profile.kind;
    const sleep = (micros: unknown) => {
      if (kind === "ESP8266" && (typeof micros !== "number" || micros % 1 !== 0)) throw new realm.Error("Invalid microseconds");
      const us = Number(micros);
      // ESP8266: 0 = sleep until an external reset (GPIO16 wired to RST wakes it otherwise).
      const ms = kind === "ESP8266" && us === 0 ? undefined : Math.max(0, us / 1000);
      host.halt({ type: "sleep", ms });
      // ESP32: esp_deep_sleep_start() does not return. ESP8266's system_deep_sleep returns and
      // the chip sleeps shortly after; nothing the program does afterwards matters either way.
      if (kind === "ESP32") throw new BoardHalted("deep sleep");
    };
    const common = { deepSleep: sleep, getState: () => realm.object({ sdkVersion: "sim", cpuFrequency: kind === "ESP32" ? 240 : 160, freeHeap: 100000 }) };
    if (kind === "ESP32") {
      return realm.object({ ...common, getWakeupCause: () => (host.resetReason === "deep-sleep" ? 4 : 0), reboot: () => (realm.global.E as { reboot(): void }).reboot() });
    }
    const reasons: Record<ResetReason, string> = { "power-on": "power on", "deep-sleep": "deep sleep", software: "restart", watchdog: "wdt reset", "reset-pin": "reset pin" };
    return realm.object({
      ...common,
      getResetInfo: () => realm.object({ reason: reasons[host.resetReason], exccause: 0, epc1: 0, epc2: 0, epc3: 0, excvaddr: 0, depc: 0 }),
      reboot: () => (realm.global.E as { reboot(): void }).reboot(),
    });
  }

  private require(name: string): unknown {
    if (this.modules[name]) return this.modules[name];
    const profile = this.profile;
    let module: unknown;
    if (name === "Storage") module = this.realm.object(storageModule(this.host.flash, this.realm));
    else if ((name === "net" || name === "tls") && profile.modules.includes(name)) module = netModule(this.netRuntime(), name === "tls");
    else if (name === "Wifi" && profile.wifi) module = this.wifiState().module;
    if (module === undefined) throw new this.realm.Error(`Module "${name}" not found`);
    this.modules[name] = module;
    return module;
  }

  private wifiState(): ReturnType<typeof wifiModule> {
    if (this.wifi) return this.wifi;
    const host = this.host;
    const realm = this.realm;
    this.wifi = wifiModule({
      board: host.kind as "ESP32" | "ESP8266",
      mac: host.mac,
      random: () => host.random(),
      after: (ms, fn) => {
        host.clock.setTimeout(() => {
          if (this.alive) fn();
        }, ms);
      },
      object: (source) => realm.object(source ?? {}),
      invoke: (fn, self, args) => this.invoke(fn, self, args),
      error: (message) => new realm.Error(message),
      syncTime: (hours) => {
        host.rtc.timeOffset = (host.epoch + host.clock.now()) / 1000 + hours * 3600 - (host.clock.now() - host.rtc.rtcOrigin) / 1000;
      },
      event: (type, data) => host.event(type, data),
      network: host.wifiNetwork,
    });
    return this.wifi;
  }

  private netRuntime() {
    const host = this.host;
    const realm = this.realm;
    return {
      host: host.socketHost ?? socketHost(),
      options: host.network,
      board: host.kind,
      online: () => !this.profile.wifi || (this.wifi ? this.wifi.online() : false),
      invoke: (fn: unknown, self: unknown, args: unknown[]) => this.invoke(fn, self, args),
      defer: (fn: () => void) => this.defer(fn),
      object: () => realm.object({}) as Record<string, any>,
      error: (_kind: "InternalError", message: string) => (realm.global.InternalError as (m: string) => Error)(message),
      print: (line: string) => host.print(line),
      event: (type: string, data: Record<string, unknown>) => host.event(type, data),
      sockets: this.sockets,
    };
  }

  private installHardware(g: Record<string, unknown>): void {
    const hardware = this.host.hardware;
    const realm = this.realm;
    const define = (name: string, value: unknown) => Object.defineProperty(g, name, { value, writable: true, configurable: true, enumerable: false });
    if (hardware.gpio) {
      const globals = hardware.gpio.globals();
      for (const [name, value] of Object.entries(globals)) define(name, value);
      const setWatch = globals.setWatch as ((callback: unknown, pin: unknown, options: unknown) => number) | undefined;
      if (setWatch) {
        define("setWatch", (callback: unknown, pin: unknown, options: unknown) => {
          if (typeof callback !== "function" && typeof callback !== "string") throw new realm.Error("Function or String not supplied!");
          return setWatch((event: unknown) => this.invoke(callback, undefined, [realm.object(event as object)]), pin, options ?? {});
        });
      }
      const clearWatch = globals.clearWatch as ((id?: number) => void) | undefined;
      if (clearWatch) {
        define("clearWatch", (...args: unknown[]) => {
          if (args.length && args[0] === undefined) throw new realm.Error("clearWatch(undefined) not allowed. Use clearWatch() instead");
          clearWatch(args.length ? Number(args[0]) : undefined);
        });
      }
      const analogRead = globals.analogRead as ((pin: unknown) => number) | undefined;
      if (analogRead) define("analogRead", (pin: unknown) => analogRead(pin));
    }
    const wrapBus = (mode: "hardware" | "software") => {
      let bus: EspruinoI2CLike | undefined;
      const i2c = realm.object({}) as Record<string, unknown>;
      i2c.setup = (options: Record<string, unknown>) => {
        const o = options ?? {};
        bus = hardware.i2c?.(String(o.scl), String(o.sda), mode) ?? emptyI2C(mode);
        bus.setup(o);
      };
      i2c.writeTo = (address: unknown, ...data: unknown[]) => {
        if (!bus) throw new realm.Error("I2C device not set up");
        bus.writeTo(address, ...data);
      };
      i2c.readFrom = (address: unknown, quantity: number) => {
        if (!bus) throw new realm.Error("I2C device not set up");
        return new realm.Uint8Array(bus.readFrom(address, quantity));
      };
      return i2c;
    };
    for (let i = 1; i <= this.profile.hardwareI2C; i++) define("I2C" + i, wrapBus("hardware"));
    define("I2C", function I2C() {
      return wrapBus("software");
    });
    define("OneWire", function OneWire(pin: unknown) {
      const bus = hardware.oneWire?.(String(pin));
      const ow = realm.object({}) as Record<string, unknown>;
      const need = () => {
        if (!bus) return undefined;
        return bus;
      };
      ow.reset = () => (need() ? need()!.reset() : false);
      ow.select = (rom: string) => need()?.select(rom);
      ow.skip = () => need()?.skip();
      ow.write = (data: unknown, power?: boolean) => need()?.write(data, power);
      ow.read = (count?: number) => {
        const b = need();
        if (!b) return count === undefined ? 0xff : new realm.Uint8Array(count).fill(0xff);
        const value = count === undefined ? b.read() : b.read(count);
        return typeof value === "number" ? value : new realm.Uint8Array(value);
      };
      ow.search = (command?: number) => realm.array(need() ? need()!.search(command) : []);
      return ow;
    });
  }
}

/** A bus with nothing on it: hardware I2C throws the ESP32 NACK error, software I2C reads the pull-ups. */
function emptyI2C(mode: "hardware" | "software"): EspruinoI2CLike {
  return {
    setup() {},
    writeTo() {
      if (mode === "hardware") throw new Error("jshI2CWrite: slave doesn't ACK the transfer");
    },
    readFrom(_address: unknown, quantity: number) {
      if (mode === "hardware") throw new Error("jshI2CRead: slave doesn't ACK the transfer");
      return new Uint8Array(quantity).fill(0xff);
    },
  };
}

function byteString(bytes: number[]): string {
  let out = "";
  for (let i = 0; i < bytes.length; i += 8192) out += String.fromCharCode.apply(null, bytes.slice(i, i + 8192));
  return out;
}

function crc32(bytes: number[]): number {
  let crc = 0xffffffff;
  for (const b of bytes) {
    crc ^= b;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}
