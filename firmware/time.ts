// Wall-clock time for readings (issue 5 §7). Before SNTP answers, the board's clock says
// 1970 (Tasmota #4243 published those dates): a time is trusted only from 2024 on. Readings
// taken before that carry the monotonic clock and are rebased once when time becomes valid.
import type { Clock } from "../hal/clock";

/** 2024-01-01T00:00:00Z: anything earlier is an unset clock. */
export const VALID_FROM = 1704067200000;

export interface WallTime {
  /** True once the wall clock is trustworthy (checks it, and calls onValid the first time). */
  valid(): boolean;
  /** Wall-clock ms; only meaningful when valid(). */
  now(): number;
}

export function createWallTime(clock: Clock, wall: () => number, onValid: (offset: number) => void): WallTime {
  let offset = NaN;
  return {
    valid: function (): boolean {
      if (offset === offset) return true;
      const time = wall();
      if (!(time >= VALID_FROM)) return false;
      // wall = monotonic + offset: what ReadingBuffer.rebase adds to the early readings.
      offset = time - clock.now();
      onValid(offset);
      return true;
    },
    now: function (): number {
      const time = wall();
      return time >= VALID_FROM ? time : clock.now() + offset;
    },
  };
}
