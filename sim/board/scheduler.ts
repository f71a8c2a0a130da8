// Time for virtual boards. A board only needs hal/clock.ts's Clock (now / setTimeout /
// clearTimeout), so any Clock works; these are the two the simulator uses:
//
//  - RealClock: real milliseconds (performance.now), timers on Node's own timers.
//  - SimClock: virtual time that moves only when advanced, with every board's timers in ONE
//    binary heap (O(log n) per timer, cancelled timers dropped lazily), so thousands of
//    boards share one scheduler cheaply. It has sim/virtual-clock.ts's API (advance,
//    advanceTo, runAll, nextDue, pending) and the same ordering: due time, then scheduling
//    order. Timers scheduled by a firing timer run in the same advance when they fall due.
//
// runClock() drives a SimClock: `speed: X` follows real time X times faster; `virtual`
// jumps from one due timer to the next (event-driven), yielding to Node's event loop
// between steps so socket traffic is delivered, and waiting for the network to go quiet
// (`quiet()`) before a jump, so a reply already on its way is not overtaken by a timeout.
import { performance } from "node:perf_hooks";
import type { Clock, TimerHandle } from "../../hal/clock";

interface Entry {
  due: number;
  seq: number;
  callback: (() => void) | undefined;
}

export class SimClock implements Clock {
  private current: number;
  private heap: Entry[] = [];
  private seq = 0;
  private live = 0;
  private firing = false;

  constructor(start = 0) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  setTimeout(callback: () => void, ms: number): TimerHandle {
    const entry: Entry = { due: this.current + (ms > 0 ? ms : 0), seq: this.seq++, callback };
    this.push(entry);
    this.live++;
    return entry;
  }

  clearTimeout(handle: TimerHandle | undefined): void {
    const entry = handle as Entry | undefined;
    if (!entry || typeof entry !== "object" || !entry.callback) return;
    entry.callback = undefined;
    this.live--;
    // Drop cancelled entries in bulk once they outnumber live ones.
    if (this.heap.length > 64 && this.heap.length > 2 * this.live) this.compact();
  }

  /** Number of pending timers. */
  get pending(): number {
    return this.live;
  }

  /** Due time of the next timer, or undefined. */
  nextDue(): number | undefined {
    this.dropCancelledTop();
    return this.heap.length ? this.heap[0]!.due : undefined;
  }

  advance(ms: number): void {
    this.advanceTo(this.current + ms);
  }

  /** Moves time to `target`, firing every timer due on the way (in due, then scheduling, order). */
  advanceTo(target: number): void {
    if (this.firing) throw new Error("SimClock.advanceTo called from inside a timer");
    this.firing = true;
    try {
      for (;;) {
        this.dropCancelledTop();
        const top = this.heap[0];
        if (!top || top.due > target) break;
        this.pop();
        const callback = top.callback!;
        top.callback = undefined;
        this.live--;
        if (top.due > this.current) this.current = top.due;
        callback();
      }
    } finally {
      this.firing = false;
    }
    if (target > this.current) this.current = target;
  }

  /** Fires the timers due at the next due time (all of them); returns false when none is left. */
  step(limit = Infinity): boolean {
    const next = this.nextDue();
    if (next === undefined || next > limit) return false;
    this.advanceTo(next);
    return true;
  }

  /** Fires timers until none is left or `limit` ms pass; returns the time advanced. */
  runAll(limit = 24 * 3600 * 1000): number {
    const start = this.current;
    this.advanceTo(start + limit);
    return this.current - start;
  }

  // ---- binary heap ----

  private less(a: Entry, b: Entry): boolean {
    return a.due < b.due || (a.due === b.due && a.seq < b.seq);
  }

  private push(entry: Entry): void {
    const heap = this.heap;
    heap.push(entry);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(heap[i]!, heap[parent]!)) break;
      [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
      i = parent;
    }
  }

  private pop(): void {
    const heap = this.heap;
    const last = heap.pop()!;
    if (heap.length === 0) return;
    heap[0] = last;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (left < heap.length && this.less(heap[left]!, heap[smallest]!)) smallest = left;
      if (right < heap.length && this.less(heap[right]!, heap[smallest]!)) smallest = right;
      if (smallest === i) break;
      [heap[i], heap[smallest]] = [heap[smallest]!, heap[i]!];
      i = smallest;
    }
  }

  private dropCancelledTop(): void {
    while (this.heap.length && !this.heap[0]!.callback) this.pop();
  }

  private compact(): void {
    const live = this.heap.filter((e) => e.callback);
    this.heap = [];
    live.forEach((e) => this.push(e));
  }
}

/** Real time: milliseconds since this clock was made; timers are Node timers (unref'd when asked). */
export class RealClock implements Clock {
  private readonly origin = performance.now();
  private readonly keepAlive: boolean;

  /** `keepAlive: false` lets the process exit while timers are pending (tests, embedding). */
  constructor(options: { keepAlive?: boolean } = {}) {
    this.keepAlive = options.keepAlive ?? true;
  }

  now(): number {
    return performance.now() - this.origin;
  }

  setTimeout(callback: () => void, ms: number): TimerHandle {
    const timer = setTimeout(callback, ms > 0 ? ms : 0);
    if (!this.keepAlive) timer.unref();
    return timer;
  }

  clearTimeout(handle: TimerHandle | undefined): void {
    if (handle !== undefined) clearTimeout(handle as NodeJS.Timeout);
  }
}

export interface RunOptions {
  /** Follow real time this many times faster (1 = real time). */
  speed?: number;
  /** Event-driven: jump straight to the next due timer. */
  virtual?: boolean;
  /** Stop when virtual time reaches this (ms on the clock). */
  until?: number;
  /**
   * Virtual mode: resolves when the outside world (sockets) has nothing in flight, so time
   * may jump. Default: ready at once. VirtualBoard's network exposes one (netQuiet).
   */
  quiet?: () => Promise<void>;
  /**
   * Virtual mode: outside work still in flight (open sockets). While true, a run with no
   * timer left waits for it instead of finishing. VirtualBoard users pass () => socketHost().open > 0.
   */
  busy?: () => boolean;
  /** Called after each step; return true to stop. */
  stopWhen?: () => boolean;
  /**
   * Speed mode: told when the clock cannot keep up (see OverrunEvent). `threshold`: how late
   * (simulated ms) the timers may fire before it counts; default 250.
   */
  overrun?: { threshold?: number; report(event: OverrunEvent): void };
}

/**
 * Overrun in speed mode: the simulation clock lags where real time x speed says it should be,
 * so timers fire late. `begin` when the lag first exceeds the threshold, `end` when it is back
 * under half of it. Lags are in simulated ms; `lagging` is the simulated time the episode lasted.
 */
export interface OverrunEvent {
  phase: "begin" | "end";
  /** The lag at this moment. */
  lag: number;
  /** The largest lag in this episode (end only). */
  maxLag?: number;
  /** Simulated ms from begin to end (end only). */
  lagging?: number;
}

export interface OverrunSummary {
  /** Largest lag seen over the whole run (ms of simulated time), overrun or not. */
  maxLag: number;
  /** Simulated ms spent in overrun episodes (an episode still open counts up to now). */
  lagging: number;
  episodes: number;
  threshold: number;
  /** Steps measured. */
  steps: number;
}

export interface ClockRun {
  /** Resolves when the run stops (until reached, nothing left to do in virtual mode, or stop()). */
  done: Promise<void>;
  stop(): void;
  /** Speed mode: how well the clock kept up so far. */
  overrun(): OverrunSummary;
}

/** Drives a SimClock at `speed` x real time, or event-driven (`virtual`). */
export function runClock(clock: SimClock, options: RunOptions): ClockRun {
  let stopped = false;
  let wake: (() => void) | undefined;
  const until = options.until ?? Infinity;
  const threshold = options.overrun?.threshold ?? 250;
  const summary: OverrunSummary = { maxLag: 0, lagging: 0, episodes: 0, threshold, steps: 0 };
  let episode: { start: number; maxLag: number } | undefined;
  /** One step's lag: how late (simulated ms) its first due timer fired, measured after the step's work. */
  const measure = (lag: number) => {
    summary.steps++;
    if (lag > summary.maxLag) summary.maxLag = lag;
    if (!episode && lag > threshold) {
      episode = { start: clock.now(), maxLag: lag };
      summary.episodes++;
      options.overrun?.report({ phase: "begin", lag });
    } else if (episode) {
      if (lag > episode.maxLag) episode.maxLag = lag;
      if (lag < threshold / 2) {
        const lagging = clock.now() - episode.start;
        summary.lagging += lagging;
        options.overrun?.report({ phase: "end", lag, maxLag: episode.maxLag, lagging });
        episode = undefined;
      }
    }
  };
  const done = (async () => {
    if (options.virtual) {
      for (;;) {
        if (stopped) return;
        await new Promise<void>((resolve) => setImmediate(resolve));
        if (options.quiet) await options.quiet();
        if (stopped) return;
        if (options.stopWhen?.()) return;
        const next = clock.nextDue();
        if (next === undefined || next > until) {
          if (options.busy?.()) {
            // nothing due before `until`, but a socket may still bring something
            await new Promise((resolve) => setTimeout(resolve, 2));
            continue;
          }
          if (until !== Infinity && clock.now() < until) clock.advanceTo(until);
          return;
        }
        clock.advanceTo(next);
        if (options.stopWhen?.()) return;
      }
    }
    const speed = options.speed ?? 1;
    const startReal = performance.now();
    const startVirtual = clock.now();
    const ideal = () => startVirtual + (performance.now() - startReal) * speed;
    for (;;) {
      if (stopped) return;
      const target = Math.min(until, ideal());
      const first = clock.nextDue();
      clock.advanceTo(target);
      // the first timer of this step was due at `first` and its step ended now: it (and the
      // ones after it) ran this much simulated time late
      measure(first !== undefined && first <= target ? Math.max(0, Math.min(until, ideal()) - first) : Math.max(0, Math.min(until, ideal()) - target));
      if (options.stopWhen?.() || target >= until) return;
      const next = clock.nextDue();
      // sleep until the next timer is due in real time (at most 50 ms, so new timers made by
      // socket events are picked up promptly)
      const waitReal = next === undefined ? 50 : Math.max(0, Math.min(50, (next - clock.now()) / speed));
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, waitReal);
      });
      wake = undefined;
    }
  })();
  return {
    done,
    stop() {
      stopped = true;
      wake?.();
    },
    overrun() {
      return { ...summary, lagging: summary.lagging + (episode ? clock.now() - episode.start : 0) };
    },
  };
}
