// A virtual clock: time moves only when a test or the simulator advances it.
// Timers fire in due order; timers scheduled by a firing timer run in the same advance
// when they fall inside the window. Ties keep scheduling order.
import type { Clock, TimerHandle } from "../hal/clock";

interface Timer {
  id: number;
  due: number;
  callback: () => void;
}

export class VirtualClock implements Clock {
  private current: number;
  private timers: Timer[] = [];
  private nextId = 1;

  constructor(start = 0) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  setTimeout(callback: () => void, ms: number): TimerHandle {
    const timer = { id: this.nextId++, due: this.current + Math.max(0, ms), callback };
    this.timers.push(timer);
    return timer.id;
  }

  clearTimeout(handle: TimerHandle | undefined): void {
    if (handle === undefined) return;
    this.timers = this.timers.filter((t) => t.id !== handle);
  }

  /** Number of pending timers. */
  get pending(): number {
    return this.timers.length;
  }

  /** Due time of the next timer, or undefined. */
  nextDue(): number | undefined {
    let best: number | undefined;
    for (const t of this.timers) if (best === undefined || t.due < best) best = t.due;
    return best;
  }

  /** Moves time forward by `ms`, firing every timer that falls due on the way. */
  advance(ms: number): void {
    this.advanceTo(this.current + ms);
  }

  advanceTo(target: number): void {
    for (;;) {
      const next = this.popDue(target);
      if (!next) break;
      this.current = Math.max(this.current, next.due);
      next.callback();
    }
    this.current = Math.max(this.current, target);
  }

  /** Fires timers until none is left or `limit` ms pass; returns the time advanced. */
  runAll(limit = 24 * 3600 * 1000): number {
    const start = this.current;
    this.advanceTo(start + limit);
    return this.current - start;
  }

  private popDue(target: number): Timer | undefined {
    let index = -1;
    for (let i = 0; i < this.timers.length; i++) {
      const t = this.timers[i]!;
      if (t.due <= target && (index < 0 || t.due < this.timers[index]!.due || (t.due === this.timers[index]!.due && t.id < this.timers[index]!.id))) index = i;
    }
    if (index < 0) return undefined;
    return this.timers.splice(index, 1)[0];
  }
}
