// Per-measurement filters (issue 5 §4): calibration, clamping, smoothing, and the decision
// whether a value is worth publishing now. Order: drop non-numbers → multiply/offset →
// clamp → median of N → exponential moving average over N → round → throttle → on-change
// with heartbeat. NaN or a failed reading is never published as a number.

export interface FilterConfig {
  /** value * multiply + offset (linear calibration). */
  multiply?: number;
  offset?: number;
  /** Clamp to [min, max]. */
  min?: number;
  max?: number;
  /** Median of the last N values (removes single spikes). */
  median?: number;
  /** Exponential moving average with alpha = 2 / (N + 1). */
  average?: number;
  /** Decimals kept (0..4). */
  decimals?: number;
  /** At most one publish per this many ms. */
  throttle?: number;
  /** Publish only when the value moved by at least this much since the last publish... */
  delta?: number;
  /** ...or when this many ms passed since the last publish (heartbeat). */
  heartbeat?: number;
}

// 10^n without Math.pow, which is inexact on Espruino.
const SCALE = [1, 10, 100, 1000, 10000];

function isNumber(value: number): boolean {
  return typeof value === "number" && value === value && value !== Infinity && value !== -Infinity;
}

export class MeasurementFilter {
  private config: FilterConfig;
  private window: number[];
  private smoothed: number | undefined;
  private lastValue: number | undefined;
  private lastTime: number;

  constructor(config: FilterConfig) {
    this.config = config;
    this.window = [];
    this.smoothed = undefined;
    this.lastValue = undefined;
    this.lastTime = 0;
  }

  /** The value to publish now, or undefined when nothing should be published. */
  update(raw: number, now: number): number | undefined {
    const c = this.config;
    if (!isNumber(raw)) return undefined;
    let value = raw;
    if (c.multiply !== undefined) value = value * c.multiply;
    if (c.offset !== undefined) value = value + c.offset;
    if (c.min !== undefined && value < c.min) value = c.min;
    if (c.max !== undefined && value > c.max) value = c.max;
    if (c.median !== undefined && c.median > 1) {
      this.window.push(value);
      if (this.window.length > c.median) this.window.shift();
      const sorted = this.window.concat([]).sort(function (a, b) {
        return a - b;
      });
      const middle = sorted.length >> 1;
      value = sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
    }
    if (c.average !== undefined && c.average > 1) {
      const alpha = 2 / (c.average + 1);
      this.smoothed = this.smoothed === undefined ? value : this.smoothed + alpha * (value - this.smoothed);
      value = this.smoothed;
    }
    if (c.decimals !== undefined) {
      const scale = SCALE[c.decimals] || 1;
      value = Math.round(value * scale) / scale;
    }
    return this.decide(value, now);
  }

  private decide(value: number, now: number): number | undefined {
    const c = this.config;
    const first = this.lastValue === undefined;
    const since = now - this.lastTime;
    if (!first && c.throttle !== undefined && since < c.throttle) return undefined;
    if (!first && c.delta !== undefined) {
      const moved = Math.abs(value - (this.lastValue as number)) >= c.delta;
      const due = c.heartbeat !== undefined && since >= c.heartbeat;
      if (!moved && !due) return undefined;
    }
    this.lastValue = value;
    this.lastTime = now;
    return value;
  }
}

/** Formats a value for a plain payload: fixed decimals when given, no exponent, never NaN. */
export function formatValue(value: number, decimals: number | undefined): string {
  if (!isNumber(value)) return "";
  return decimals === undefined ? String(value) : value.toFixed(decimals);
}
