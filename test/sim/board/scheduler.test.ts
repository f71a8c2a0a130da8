// SimClock: one heap for every board's timers; ordering, cancellation, nesting; runClock at a speed.
import { describe, expect, it } from "vitest";
import { runClock, SimClock } from "../../../sim/board/scheduler";

describe("SimClock", () => {
  it("fires in due order, ties in scheduling order, including timers scheduled while firing", () => {
    const clock = new SimClock();
    const fired: string[] = [];
    clock.setTimeout(() => fired.push("b@20"), 20);
    clock.setTimeout(() => {
      fired.push("a@10");
      clock.setTimeout(() => fired.push("c@15"), 5);
      clock.setTimeout(() => fired.push("d@20"), 10);
    }, 10);
    clock.setTimeout(() => fired.push("e@10"), 10);
    clock.advance(25);
    expect(fired).toEqual(["a@10", "e@10", "c@15", "b@20", "d@20"]);
    expect(clock.now()).toBe(25);
  });

  it("cancels, counts pending timers and reports the next due time, with many cancellations", () => {
    const clock = new SimClock();
    const handles = Array.from({ length: 1000 }, (_, i) => clock.setTimeout(() => undefined, i + 1));
    handles.slice(0, 990).forEach((h) => clock.clearTimeout(h));
    clock.clearTimeout(undefined);
    clock.clearTimeout(handles[0]);
    expect(clock.pending).toBe(10);
    expect(clock.nextDue()).toBe(991);
    expect(clock.runAll()).toBe(24 * 3600 * 1000);
    expect(clock.pending).toBe(0);
  });

  it("runClock follows real time at the given speed", async () => {
    const clock = new SimClock();
    let fired = 0;
    clock.setTimeout(() => fired++, 1000);
    const started = performance.now();
    const run = runClock(clock, { speed: 100, until: 2000 });
    await run.done;
    const elapsed = performance.now() - started;
    expect(fired).toBe(1);
    expect(clock.now()).toBe(2000);
    // 2 s of board time at 100x is about 20 ms of real time; generous bounds
    expect(elapsed).toBeGreaterThanOrEqual(15);
    expect(elapsed).toBeLessThan(5000);
  });

  it("runClock in virtual mode jumps from timer to timer and stops when nothing is left", async () => {
    const clock = new SimClock();
    const times: number[] = [];
    const tick = () => {
      times.push(clock.now());
      if (times.length < 5) clock.setTimeout(tick, 3600_000);
    };
    clock.setTimeout(tick, 3600_000);
    await runClock(clock, { virtual: true }).done;
    expect(times).toEqual([1, 2, 3, 4, 5].map((h) => h * 3600_000));
  });
});
