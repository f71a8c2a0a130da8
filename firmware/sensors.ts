// Sensor scheduling (issue 5 §4): per sensor, every `interval`: trigger() → wait what the
// driver asked → sample() → one value per measurement of that sensor in the plan.
// A sensor that fails to construct is marked failed; a sample that fails is counted. Either
// way it is retried with backoff (1 s, 2 s, 4 s ... capped at the larger of its interval and
// 5 min), and the other sensors never notice: each has its own timer, and every driver call
// is inside try/catch.
import type { Clock, TimerHandle } from "../hal/clock";
import type { Platform } from "../hal/platform";
import type { Sensor } from "../hal/sensor";
import type { SensorConfig } from "../boards/schema";
import type { Plan } from "./forward";

interface Slot {
  config: SensorConfig;
  /** Measurement keys of this sensor in plan.measurements. */
  keys: number[];
  sensor: Sensor<any> | undefined;
  interval: number;
  timer: TimerHandle | undefined;
  /** True between trigger() and sample(). */
  busy: boolean;
  /** When the current reading started: the next one is an interval after it, not after sample(). */
  started: number;
  /** Failures since boot, and in a row. */
  errors: number;
  failures: number;
  /** Last error ("nack: ..."), "" after a good sample. */
  error: string;
  /** Has completed (or failed) its first reading since start. */
  done: boolean;
}

export interface Sensors {
  start(): void;
  stop(): void;
  /** Changes the interval of one sensor (or all, name undefined); returns how many changed. */
  setInterval(name: string | undefined, ms: number): number;
  /** Every sensor has had its first reading (good or failed). */
  allDone(): boolean;
  /** For diag: {"air":{"errors":2,"error":"nack: ...","failed":true}} (only sensors with errors). */
  report(): Record<string, { errors: number; error?: string; failed?: boolean }>;
}

export interface SensorOptions {
  sensors: SensorConfig[];
  plan: Plan;
  platform: Platform;
  drivers: { [kind: string]: (options: any) => any };
  clock: Clock;
  value(key: number, raw: number): void;
  /** Battery mode: read once per wake (checked after each reading). */
  once(): boolean;
  /** A sensor finished its first reading. */
  first(): void;
  log(message: string): void;
}

const MAX_BACKOFF = 300000;

function describe(error: unknown): string {
  const e = error as { code?: string; message?: string } | undefined;
  return (e && e.code ? e.code + ": " : "") + (e && e.message ? e.message : String(error));
}

export function createSensors(o: SensorOptions): Sensors {
  const clock = o.clock;
  const slots: Slot[] = o.sensors.map(function (config) {
    return {
      config: config,
      keys: o.plan.measurements.filter(function (m) {
        return m.sensor === config.name;
      }).map(function (m) {
        return m.key;
      }),
      sensor: undefined,
      interval: config.interval || 60000,
      timer: undefined,
      busy: false,
      started: 0,
      errors: 0,
      failures: 0,
      error: "",
      done: false,
    };
  });

  const open = function (slot: Slot): void {
    const c = slot.config as SensorConfig & { bus?: string; pin?: string };
    const options: Record<string, unknown> = Object.assign({}, c, { clock: clock });
    if (c.type === "analog") options.input = o.platform.analog(c.pin!);
    else if (c.type === "ds18b20") options.bus = o.platform.oneWire(c.bus!);
    else options.bus = o.platform.i2c(c.bus!);
    slot.sensor = o.drivers[c.type]!(options);
  };

  const later = function (slot: Slot, delay: number, run: (slot: Slot) => void): void {
    clock.clearTimeout(slot.timer);
    slot.timer = clock.setTimeout(function () {
      slot.timer = undefined;
      run(slot);
    }, delay);
  };

  let cycle: (slot: Slot) => void = function () {};

  const next = function (slot: Slot, delay: number): void {
    if (!slot.done) {
      slot.done = true;
      o.first();
    }
    if (!o.once()) later(slot, delay, cycle);
  };

  const fail = function (slot: Slot, error: unknown): void {
    slot.busy = false;
    slot.errors++;
    slot.failures++;
    slot.error = describe(error);
    o.log("sensor " + slot.config.name + (slot.sensor ? "" : " failed") + ": " + slot.error);
    const cap = slot.interval > MAX_BACKOFF ? slot.interval : MAX_BACKOFF;
    const backoff = 1000 << (slot.failures > 16 ? 16 : slot.failures - 1);
    next(slot, backoff < cap ? backoff : cap);
  };

  const finish = function (slot: Slot): void {
    slot.busy = false;
    let sample: Record<string, number>;
    try {
      sample = slot.sensor!.sample();
    } catch (error) {
      fail(slot, error);
      return;
    }
    slot.failures = 0;
    slot.error = "";
    slot.keys.forEach(function (key) {
      o.value(key, sample[o.plan.measurements[key]!.field] as number);
    });
    const wait = slot.started + slot.interval - clock.now();
    next(slot, wait > 0 ? wait : 0);
  };

  cycle = function (slot: Slot): void {
    slot.started = clock.now();
    try {
      if (!slot.sensor) open(slot);
      const wait = slot.sensor!.trigger();
      slot.busy = true;
      later(slot, wait > 0 ? wait : 0, finish);
    } catch (error) {
      fail(slot, error);
    }
  };

  return {
    start: function (): void {
      slots.forEach(function (slot) {
        slot.done = false;
        later(slot, 0, cycle);
      });
    },
    stop: function (): void {
      slots.forEach(function (slot) {
        clock.clearTimeout(slot.timer);
        slot.timer = undefined;
        slot.busy = false;
        if (slot.sensor) {
          try {
            slot.sensor.close();
          } catch {
            // closing is best effort
          }
        }
        slot.sensor = undefined;
      });
    },
    setInterval: function (name: string | undefined, ms: number): number {
      let changed = 0;
      slots.forEach(function (slot) {
        if (name !== undefined && slot.config.name !== name) return;
        slot.interval = ms;
        changed++;
        // Waiting for the next reading: wait the new interval from now. Mid-conversion: the
        // new interval applies after this sample.
        if (!slot.busy && slot.timer !== undefined) later(slot, ms, cycle);
      });
      return changed;
    },
    allDone: function (): boolean {
      return slots.every(function (slot) {
        return slot.done;
      });
    },
    report: function () {
      const out: Record<string, { errors: number; error?: string; failed?: boolean }> = {};
      slots.forEach(function (slot) {
        if (slot.errors === 0) return;
        out[slot.config.name] = { errors: slot.errors, error: slot.error || undefined, failed: slot.sensor ? undefined : true };
      });
      return out;
    },
  };
}
