// Espruino's timers on the board's clock (semantics probed on Espruino 2v29: see runtime.ts).
import { describe, expect, it } from "vitest";
import { lines, virtualBoard } from "./helpers";

describe("timers on virtual time", () => {
  it("runs 24 hours of a 1 s setInterval in well under a second of real time", () => {
    const { board, clock } = virtualBoard(`
      var ticks = 0;
      setInterval(function () { ticks++; }, 1000);
      setInterval(function () { print("hour", ticks, getTime()); }, 3600000);
    `);
    const started = performance.now();
    board.start();
    clock.advance(24 * 3600 * 1000);
    const elapsed = performance.now() - started;
    expect(board.global!.ticks).toBe(86400);
    const hours = lines(board).filter((l) => l.startsWith("hour "));
    expect(hours).toHaveLength(24);
    // at 24:00:00 both fire; the hourly timer was scheduled first, so it runs first
    expect(hours[23]).toBe("hour 86399 86400");
    expect(elapsed).toBeLessThan(1000);
  });

  it("throws on clearTimeout(undefined) and clearInterval(undefined) with Espruino's messages", () => {
    const { board, clock } = virtualBoard(`
      var id = setTimeout(function () { print("fired"); }, 10);
      try { clearTimeout(undefined); } catch (e) { print("T:" + e.message); }
      try { clearInterval(undefined); } catch (e) { print("I:" + e.message); }
      clearTimeout(999); // unknown ids are ignored
    `);
    board.start();
    clock.advance(100);
    expect(lines(board)).toEqual([
      "T:clearTimeout(undefined) not allowed. Use clearTimeout() instead",
      "I:clearInterval(undefined) not allowed. Use clearInterval() instead",
      "fired",
    ]);
  });

  it("clearTimeout() with no argument clears every timer", () => {
    const { board, clock } = virtualBoard(`
      setTimeout(function () { print("a"); }, 10);
      setInterval(function () { print("b"); }, 10);
      clearTimeout();
    `);
    board.start();
    clock.advance(1000);
    expect(lines(board)).toEqual([]);
    expect(board.timerCount).toBe(0);
  });

  it("numbers timers from 1 + the highest live id, fires ties in creation order, passes extra arguments", () => {
    const { board, clock } = virtualBoard(`
      var a = setTimeout(function () {}, 10); clearTimeout(a);
      var b = setTimeout(function () {}, 10);
      var c = setInterval(function () {}, 10);
      print("ids", a, b, c);
      clearTimeout(b); clearInterval(c);
      setTimeout(function (x) { print("B" + x); }, 20, "!");
      setTimeout(function () { print("A10"); }, 10);
      setTimeout(function () { print("C10"); }, 10);
      setTimeout("print('string code')", 30);
      try { setTimeout(undefined, 1); } catch (e) { print(e.message); }
    `);
    board.start();
    clock.advance(100);
    expect(lines(board)).toEqual(["ids 1 1 2", "Function or String not supplied!", "A10", "C10", "B!", "string code"]);
  });

  it("keeps an interval running after its callback throws, printing Uncaught", () => {
    const { board, clock } = virtualBoard(`
      var n = 0;
      setInterval(function () { n++; if (n < 3) throw new Error("boom" + n); print("n", n); }, 20);
    `);
    board.start();
    clock.advance(80);
    expect(lines(board)).toEqual(["Uncaught Error: boom1", "Uncaught Error: boom2", "n 3", "n 4"]);
  });

  it("changeInterval changes the period from now", () => {
    const { board, clock } = virtualBoard(`
      var id = setInterval(function () { print("t", getTime()); }, 1000);
      setTimeout(function () { changeInterval(id, 100); }, 1500);
    `);
    board.start();
    clock.advance(1800);
    expect(lines(board)).toEqual(["t 1", "t 1.6", "t 1.7", "t 1.8"]);
  });

  it("process.on('uncaughtException') takes errors instead of the console", () => {
    const { board, clock } = virtualBoard(`
      process.on("uncaughtException", function (e) { print("caught:" + e.message); });
      setTimeout(function () { throw new Error("x"); }, 1);
    `);
    board.start();
    clock.advance(10);
    expect(lines(board)).toEqual(["caught:x"]);
  });
  it("Date follows the board's clock as Espruino's does: 1970 plus uptime until setTime, then the set time", () => {
    const { board, clock } = virtualBoard(`
      setTimeout(function () {
        print("before", Date.now(), new Date().getTime(), new Date(0).toISOString(), new Date(2026, 0, 2).getDate());
        setTime(1767225600); // 2026-01-01T00:00:00Z, as SNTP would
        print("after", new Date().toISOString(), Date.now() === getTime() * 1000, new Date() instanceof Date);
      }, 5000);
    `);
    board.start();
    clock.advance(5000);
    expect(lines(board)).toEqual(["before 5000 5000 1970-01-01T00:00:00.000Z 2", "after 2026-01-01T00:00:00.000Z true true"]);
  });
});
