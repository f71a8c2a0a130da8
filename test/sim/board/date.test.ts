// Date on the virtual board reads the board's clock, as Espruino's does (jswrap_date.c takes
// "now" from the system time that getTime() reports): uptime on an ESP board until SNTP or
// setTime, the simulated wall clock on LINUX. Never the host's real time.
import { describe, expect, it } from "vitest";
import { lines, virtualBoard } from "./helpers";

const EPOCH = Date.UTC(2031, 5, 21, 12);

describe("Date on the virtual board", () => {
  it("ESP32 before any time is set: 1970 plus uptime; after setTime, that time; Date and getTime agree", () => {
    const { board, clock } = virtualBoard(
      `setTimeout(function () {
         print(Date.now(), new Date().getTime(), getTime() * 1000, new Date().getUTCFullYear());
         setTime(1900000000);
         print(new Date().toISOString(), Math.round(Date.now() / 1000), typeof Date(), new Date(0).toISOString());
         print(new Date() instanceof Date, Date.UTC(2000, 0, 1), Date.parse("2000-01-01T00:00:00Z"));
       }, 5000);`,
      { epoch: EPOCH },
    );
    board.start();
    clock.advance(10_000);
    const [first, second, third] = lines(board);
    const [now, made, time, year] = first!.split(" ").map(Number);
    expect(now).toBe(made);
    expect(Math.abs(now! - time!)).toBeLessThan(1);
    expect(now).toBeGreaterThanOrEqual(5000);
    expect(now).toBeLessThan(6000);
    expect(year).toBe(1970);
    expect(second).toBe("2030-03-17T17:46:40.000Z 1900000000 string 1970-01-01T00:00:00.000Z");
    expect(third).toBe("true 946684800000 946684800000");
  });

  it("LINUX: the simulated wall clock from the board's epoch, moving with the simulated clock only", () => {
    const { board, clock } = virtualBoard(`setInterval(function () { print(new Date().toISOString()); }, 3600000);`, { kind: "LINUX", epoch: EPOCH });
    board.start();
    clock.advance(2 * 3_600_000 + 1000);
    expect(lines(board)).toEqual(["2031-06-21T13:00:00.000Z", "2031-06-21T14:00:00.000Z"]);
  });
});
