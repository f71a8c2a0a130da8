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
  /** Every sensor has had its first reading (good or failed); battery mode only (SENSORNODE_FEATURES.sleep). */
  allDone?: () => boolean;
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
  once?: () => boolean;
  /** A sensor finished its first reading. */
  first?: () => void;
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
      // Indexes, not m.key: the board's plan leaves the key out (it is the index).
      keys: o.plan.measurements.map(function (m, key) {
        return m.sensor === config.name ? key : -1;
      }).filter(function (key) {
        return key >= 0;
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

  // Two functions run every sensor (each function object costs ~6 variables on an ESP8266):
  // `schedule` sets the slot's one timer, `step` does what is due when it fires — trigger a
  // conversion, or read its sample — and schedules the next step.
  const schedule = function (slot: Slot, delay: number): void {
    clock.clearTimeout(slot.timer);
    slot.timer = clock.setTimeout(function () {
      slot.timer = undefined;
      step(slot);
    }, delay);
  };

  function step(slot: Slot): void {
    let sample: Record<string, number> | undefined;
    let delay: number;
    try {
      if (!slot.busy) {
        slot.started = clock.now();
        if (!slot.sensor) {
          const c = slot.config as SensorConfig & { bus?: string; pin?: string };
          const options: Record<string, unknown> = Object.assign({}, c, { clock: clock });
          if (SENSORNODE_FEATURES.analog && c.type === "analog") options.input = o.platform.analog(c.pin!);
          else if (SENSORNODE_FEATURES.oneWire && c.type === "ds18b20") options.bus = o.platform.oneWire(c.bus!);
          else options.bus = o.platform.i2c(c.bus!);
          slot.sensor = o.drivers[c.type]!(options);
        }
        const wait = slot.sensor!.trigger();
        slot.busy = true;
        schedule(slot, wait > 0 ? wait : 0);
        return;
      }
      slot.busy = false;
      sample = slot.sensor!.sample();
      slot.failures = 0;
      slot.error = "";
      const wait = slot.started + slot.interval - clock.now();
      delay = wait > 0 ? wait : 0;
    } catch (error) {
      slot.busy = false;
      slot.errors++;
      slot.failures++;
      slot.error = describe(error);
      o.log("sensor " + slot.config.name + (slot.sensor ? "" : " failed") + ": " + slot.error);
      const cap = slot.interval > MAX_BACKOFF ? slot.interval : MAX_BACKOFF;
      const backoff = 1000 << (slot.failures > 16 ? 16 : slot.failures - 1);
      delay = backoff < cap ? backoff : cap;
    }
    if (sample) {
      const values = sample;
      slot.keys.forEach(function (key) {
        o.value(key, values[o.plan.measurements[key]!.field] as number);
      });
    }
    if (!slot.done) {
      slot.done = true;
      if (o.first) o.first();
    }
    if (!(SENSORNODE_FEATURES.sleep && o.once && o.once())) schedule(slot, delay);
  }

  return {
    start: function (): void {
      slots.forEach(function (slot) {
        slot.done = false;
        // A fresh reading, even if one was converting (stay-awake in battery mode starts again).
        slot.busy = false;
        schedule(slot, 0);
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
        if (!slot.busy && slot.timer !== undefined) schedule(slot, ms);
      });
      return changed;
    },
    allDone: !SENSORNODE_FEATURES.sleep ? undefined : function (): boolean {
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
