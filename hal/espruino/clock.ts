// The Clock over Espruino's timers. Clock time is monotonic milliseconds; Espruino's
// getTime() is seconds since boot UNTIL the first SNTP sync, when it jumps to wall-clock
// time (seconds since 1970) — decades at once (seen on ESP32 and ESP8266 builds). That jump
// is taken out here, so timers and intervals measured with now() stay right.
// Espruino throws on clearTimeout(undefined): guarded here, once, for the whole firmware.
import type { Clock, TimerHandle } from "../clock";

declare function getTime(): number;
declare function setTimeout(callback: () => void, ms: number): number;
declare function clearTimeout(id: number): void;

// Uptime never reaches 2001 in ms; wall-clock time after a sync is always past 2017.
// Later SNTP corrections forward are not removed (small and rare; a forward step only makes
// a wait end early). A step BACK is: the clock stands still instead, else every wait measured
// against it (the sensors' schedule) would stretch by the size of the step.
const UPTIME_LIMIT = 978307200000;
const WALL_START = 1483228800000;

let offset = 0;
let last = 0;

/** Monotonic ms from raw getTime() ms: removes the jump of the first SNTP sync. */
export function monotonic(raw: number): number {
  if (last > 0 && last < UPTIME_LIMIT && raw >= WALL_START) offset += raw - last;
  else if (raw < last) offset -= last - raw;
  const now = raw - offset;
  last = raw;
  return now;
}

export const espruinoClock: Clock = {
  now: function (): number {
    return monotonic(getTime() * 1000);
  },
  setTimeout: function (callback: () => void, ms: number): TimerHandle {
    return setTimeout(callback, ms);
  },
  clearTimeout: function (handle: TimerHandle | undefined): void {
    if (handle !== undefined) clearTimeout(handle as number);
  },
};
