// Time, injected everywhere so tests and the simulator can run on virtual time.
// Durations are milliseconds. `now()` is monotonic milliseconds since an arbitrary start,
// NOT wall-clock time (wall time comes from SNTP and is tracked separately by the node).

export type TimerHandle = unknown;

export interface Clock {
  /** Monotonic milliseconds. */
  now(): number;
  /** Calls `callback` once after `ms` milliseconds. */
  setTimeout(callback: () => void, ms: number): TimerHandle;
  /** Cancels a timer. Passing `undefined` is allowed (Espruino's own clearTimeout throws on it: adapters guard). */
  clearTimeout(handle: TimerHandle | undefined): void;
}
