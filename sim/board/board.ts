// A virtual Espruino board: runs a built bundle (the text of dist/<node>.js) the way the
// real board runs it from flash at every boot, in a node:vm context holding only Espruino's
// globals (realm.ts, runtime.ts). One VirtualBoard per simulated node.
//
//   const board = new VirtualBoard({ code, kind: "ESP32", name: "greenhouse", clock });
//   board.onEvent((e) => ...);       // or board.events / board.log
//   board.start();                   // power on: first boot
//
// What outlives a boot: the flash (Storage), the hardware (pins, buses, devices), the WiFi
// environment, the event log, and on ESP32 the RTC time. What does not: everything in RAM
// (the vm context, timers, sockets, listeners). ESP32.deepSleep / ESP8266.deepSleep stop
// the board and boot it again after the sleep, with reset reason "deep-sleep".
//
// Time comes from any hal/clock.ts Clock: a RealClock by default, or a shared SimClock
// (scheduler.ts) so many boards run on one virtual timeline.
import type { Clock } from "../../hal/clock";
import type { BoardKind } from "../../boards/schema";
import { estimateMemory } from "../../tools/memory";
import { FlashStorage } from "./flash";
import type { LiveSocket, NetworkOptions } from "./net";
import { PROFILES } from "./profile";
import { Boot, type BoardHardware, type BootHost, type ResetReason } from "./runtime";
import { RealClock } from "./scheduler";
import type { SocketHost } from "./socket-host";
import { WifiNetwork } from "./wifi";

export interface BoardEvent {
  /** Board clock, ms. */
  time: number;
  node: string;
  /** Boot number (1 = first power-on). */
  boot: number;
  type: string;
  [key: string]: unknown;
}

export interface VirtualBoardOptions {
  /** The bundle: the text of dist/<node>.js. */
  code: string;
  kind: BoardKind;
  /** Node name, for events and the default serial number. */
  name?: string;
  /** Default: real time (a RealClock). Share one SimClock between boards for virtual time. */
  clock?: Clock;
  /** Makes the MAC / serial, RSSI and WiFi timing reproducible. Default: derived from the name. */
  seed?: number;
  /** Wall-clock ms at clock time 0 (what SNTP will say). Default: now for a RealClock, 2026-01-01 UTC otherwise. */
  epoch?: number;
  hardware?: BoardHardware;
  network?: NetworkOptions;
  /** Settings of the simulated access point (password, rssi, joinTime). */
  wifi?: Partial<Pick<WifiNetwork, "password" | "rssi" | "rssiSpread" | "joinTime" | "available">>;
  /** Extra process.env entries. */
  env?: Record<string, string>;
  /** Time from a reset (reboot, watchdog, wake-up) to the boot code running, ms. Default 300. */
  bootDelay?: number;
  /** Sockets for this board (default: the process-wide host). */
  socketHost?: SocketHost;
  /** Keep every event in `events` (default true; a large fleet may prefer listeners only). */
  keepEvents?: boolean;
  /** Lines kept in `log` (default 10,000: the oldest go first). */
  logLimit?: number;
}

export type BoardState = "off" | "running" | "sleeping";

const DEFAULT_EPOCH = Date.UTC(2026, 0, 1);

export class VirtualBoard {
  readonly name: string;
  readonly kind: BoardKind;
  readonly clock: Clock;
  readonly flash: FlashStorage;
  readonly hardware: BoardHardware;
  readonly wifiNetwork = new WifiNetwork();
  readonly mac: Uint8Array;
  readonly log: string[] = [];
  readonly events: BoardEvent[] = [];
  state: BoardState = "off";
  boots = 0;
  resetReason: ResetReason = "power-on";
  private code: string;
  private readonly options: VirtualBoardOptions;
  private readonly codeVariables: number;
  private readonly listeners = new Set<(event: BoardEvent) => void>();
  private boot: Boot | undefined;
  private wakeTimer: unknown;
  private randomState: number;
  /** getTime() = (clock - rtcOrigin) / 1000 + timeOffset on ESP boards (see BootHost). */
  private readonly rtc = { rtcOrigin: 0, timeOffset: 0 };
  private readonly epoch: number;

  constructor(options: VirtualBoardOptions) {
    this.options = options;
    this.code = options.code;
    this.kind = options.kind;
    this.name = options.name ?? "node";
    this.clock = options.clock ?? new RealClock();
    this.flash = new FlashStorage(PROFILES[this.kind].flashBytes);
    this.hardware = options.hardware ?? {};
    Object.assign(this.wifiNetwork, options.wifi ?? {});
    this.randomState = (options.seed ?? hashString(this.name)) >>> 0;
    // Espressif's OUI, then three seeded bytes: a stable, per-node serial number.
    this.mac = new Uint8Array([0x24, 0x0a, 0xc4, this.nextByte(), this.nextByte(), this.nextByte()]);
    this.epoch = options.epoch ?? (this.clock instanceof RealClock ? Date.now() - this.clock.now() : DEFAULT_EPOCH);
    this.codeVariables = codeVariables(options.code, this.kind);
  }

  /** The current boot's global object (undefined while off / asleep): for tests and inspection. */
  get global(): Record<string, unknown> | undefined {
    return this.boot?.running ? this.boot.realm.global : undefined;
  }

  /** Live sockets of the current boot (fault injection: `sockets[0].drop()`). */
  get sockets(): LiveSocket[] {
    return this.boot ? [...this.boot.sockets] : [];
  }

  /** Pending firmware timers of the current boot. */
  get timerCount(): number {
    return this.boot?.running ? this.boot.timerCount : 0;
  }

  onEvent(listener: (event: BoardEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Power on (first boot). */
  start(): this {
    if (this.state !== "off") throw new Error(`${this.name}: already ${this.state}`);
    this.powerOn("power-on");
    return this;
  }

  /**
   * The real-time clock jumps by `ms` (negative = back): getTime() and Date.now() move, the
   * timers do not (Espruino keeps timers relative to when they were set, not on the RTC).
   */
  jumpClock(ms: number): void {
    this.rtc.timeOffset += ms / 1000;
  }

  /** Power loss and back: no 'kill' event, RAM lost, flash kept. */
  powerCycle(): void {
    this.halt("power-loss");
    this.rtc.rtcOrigin = this.clock.now();
    this.rtc.timeOffset = 0;
    this.powerOn("power-on");
  }

  /** A software reset (what E.reboot() does): 'kill' handlers run first. */
  reboot(): void {
    if (this.boot?.running) this.boot.kill();
    this.halt("reboot");
    this.powerOn("software");
  }

  /** A clean stop (Ctrl-C in the simulator): 'kill' handlers run, then the board is off. */
  shutdown(): void {
    if (this.boot?.running) this.boot.kill();
    this.halt("shutdown");
  }

  /** The reset pin: wakes a sleeping board (ESP8266.deepSleep(0) waits for this). */
  wake(): void {
    if (this.state !== "sleeping") return;
    this.powerOn("reset-pin");
  }

  /** Replaces the bundle (a new firmware flashed); takes effect at the next boot. */
  flashCode(code: string): void {
    this.code = code;
  }

  /** Off, and every socket of this board closed for real. */
  dispose(): void {
    const sockets = this.sockets;
    this.halt("dispose");
    sockets.forEach((s) => s.drop());
    this.listeners.clear();
  }

  /** Resolves with the first event (from now or already logged) that matches; rejects after `timeout` real ms. */
  waitFor(test: RegExp | ((event: BoardEvent) => boolean), options: { timeout?: number; since?: number } = {}): Promise<BoardEvent> {
    const match = typeof test === "function" ? test : (e: BoardEvent) => e.type === "log" && test.test(String(e.text));
    const earlier = this.events.slice(options.since ?? 0).find(match);
    if (earlier) return Promise.resolve(earlier);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        off();
        reject(new Error(`${this.name}: no event matching ${String(test)} within ${options.timeout ?? 10_000} ms; last lines:\n${this.log.slice(-10).join("\n")}`));
      }, options.timeout ?? 10_000);
      const off = this.onEvent((e) => {
        if (!match(e)) return;
        clearTimeout(timer);
        off();
        resolve(e);
      });
    });
  }

  // ---- internals ----

  private powerOn(reason: ResetReason): void {
    this.clearWake();
    this.resetReason = reason;
    this.boots++;
    this.state = "running";
    if (reason === "power-on" && this.boots === 1) this.rtc.rtcOrigin = this.clock.now();
    this.event("boot", { reason });
    const { host, bind } = this.bootHost();
    const boot = new Boot(host);
    bind(boot);
    this.boot = boot;
    boot.run(this.code, `${this.name}.js`);
  }

  private halt(why: string): void {
    this.clearWake();
    if (this.boot) {
      this.boot.stop();
      if (this.state !== "off") this.event("halt", { why });
    }
    this.boot = undefined;
    this.state = "off";
  }

  private clearWake(): void {
    if (this.wakeTimer !== undefined) this.clock.clearTimeout(this.wakeTimer);
    this.wakeTimer = undefined;
  }

  private bootHost(): { host: BootHost; bind(boot: Boot): void } {
    const profile = PROFILES[this.kind];
    let boot: Boot | undefined;
    const current = () => boot !== undefined && this.boot === boot && boot.running;
    const host: BootHost = {
      name: this.name,
      kind: this.kind,
      clock: this.clock,
      flash: this.flash,
      mac: this.mac,
      hardware: this.hardware,
      network: this.options.network ?? {},
      wifiNetwork: this.wifiNetwork,
      env: this.options.env ?? {},
      socketHost: this.options.socketHost,
      epoch: this.epoch,
      rtc: this.rtc,
      resetReason: this.resetReason,
      boots: this.boots,
      codeVariables: this.codeVariables,
      random: () => this.random(),
      print: (text: string) => {
        if (boot === undefined || current()) this.print(text);
      },
      event: (type, data) => {
        if (boot === undefined || current()) this.event(type, data);
      },
      halt: (how) => {
        if (boot !== undefined && !current()) return;
        if (how.type === "sleep") {
          this.event("sleep", { ms: how.ms ?? null });
          this.halt("deep-sleep");
          this.state = "sleeping";
          if (!profile.timeSurvivesSleep) {
            // ESP8266: the chip restarts; its clock starts again from 0.
            this.rtc.rtcOrigin = this.clock.now() + (how.ms ?? 0);
            this.rtc.timeOffset = 0;
          }
          if (how.ms !== undefined) this.wakeTimer = this.clock.setTimeout(() => this.powerOn("deep-sleep"), how.ms);
          return;
        }
        const reason: ResetReason = how.type === "watchdog" ? "watchdog" : "software";
        this.halt(how.type);
        this.state = "sleeping";
        this.wakeTimer = this.clock.setTimeout(() => this.powerOn(reason), this.options.bootDelay ?? 300);
      },
    };
    // Calls from a boot that is no longer the current one (a callback still in flight after a
    // deep sleep) are dropped.
    return { host, bind: (b: Boot) => (boot = b) };
  }

  /** An event from outside the board (the world acting on it: a door opened), in its event log. */
  record(type: string, data: Record<string, unknown>): void {
    this.event(type, data);
  }

  private print(text: string): void {
    const limit = this.options.logLimit ?? 10_000;
    this.log.push(text);
    if (this.log.length > limit) this.log.splice(0, this.log.length - limit);
    this.event("log", { text });
  }

  private event(type: string, data: Record<string, unknown>): void {
    const event: BoardEvent = { time: this.clock.now(), node: this.name, boot: this.boots, type, ...data };
    if (this.options.keepEvents !== false) this.events.push(event);
    this.listeners.forEach((listener) => listener(event));
  }

  private nextByte(): number {
    return Math.floor(this.random() * 256);
  }

  /** mulberry32: seeded, reproducible. */
  random(): number {
    this.randomState = (this.randomState + 0x6d2b79f5) >>> 0;
    let t = this.randomState;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
}

/** tools/memory.ts's estimate of the code's own variables (run from flash); a rough one for unparsable code. */
function codeVariables(code: string, kind: BoardKind): number {
  try {
    return estimateMemory(code, kind).fromFlash;
  } catch {
    return Math.ceil(code.length / 12);
  }
}

function hashString(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}
