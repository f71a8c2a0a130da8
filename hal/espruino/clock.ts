// The Clock over Espruino's timers. getTime() is seconds (float) since boot; clock time is
// milliseconds. Espruino throws on clearTimeout(undefined) (it means "clear all" in old
// versions): guarded here, once, for the whole firmware.
import type { Clock, TimerHandle } from "../clock";

declare function getTime(): number;
declare function setTimeout(callback: () => void, ms: number): number;
declare function clearTimeout(id: number): void;

export const espruinoClock: Clock = {
  now: function (): number {
    return getTime() * 1000;
  },
  setTimeout: function (callback: () => void, ms: number): TimerHandle {
    return setTimeout(callback, ms);
  },
  clearTimeout: function (handle: TimerHandle | undefined): void {
    if (handle !== undefined) clearTimeout(handle as number);
  },
};
