// Boots, deep sleep, reboots and power loss: what survives (flash, on ESP32 the RTC) and
// what does not (RAM: variables, timers, listeners).
import { describe, expect, it } from "vitest";
import { lines, virtualBoard } from "./helpers";

const COUNTER = `
  var S = require("Storage");
  var boots = (S.readJSON("boots", true) || 0) + 1;
  S.writeJSON("boots", boots);
  if (typeof ramValue === "undefined") var ramValue = "fresh";
  print("boot " + boots + " ram " + ramValue + " t " + getTime());
  ramValue = "set in RAM";
  E.on("init", function () { print("init " + boots); });
  E.on("kill", function () { print("kill " + boots); });
`;

describe("boots and deep sleep", () => {
  it("ESP32.deepSleep: Storage survives, RAM does not, E.on('init') fires on each boot, no 'kill'", () => {
    const { board, clock } = virtualBoard(COUNTER + `setTimeout(function () { ESP32.deepSleep(60e6); print("never printed"); }, 1000);`);
    board.start();
    clock.advance(1000);
    expect(board.state).toBe("sleeping");
    expect(board.global).toBeUndefined();
    clock.advance(60_000);
    expect(board.state).toBe("running");
    expect(board.resetReason).toBe("deep-sleep");
    clock.advance(61_000 + 1000);
    expect(lines(board)).toEqual([
      "boot 1 ram fresh t 0", "init 1",
      // ESP32's RTC keeps counting through deep sleep
      "boot 2 ram fresh t 61", "init 2",
      "boot 3 ram fresh t 122", "init 3",
    ]);
    expect(board.flash.get("boots")).toBe("3");
    const types = board.events.filter((e) => e.type !== "log").map((e) => `${e.time} ${e.type}`);
    expect(types.slice(0, 4)).toEqual(["0 boot", "1000 sleep", "1000 halt", "61000 boot"]);
  });

  it("ESP32.getWakeupCause is 4 (timer) after a deep sleep, 0 after power-on", () => {
    const { board, clock } = virtualBoard(`print("cause " + ESP32.getWakeupCause()); if (!require("Storage").read("slept")) { require("Storage").write("slept", "1"); ESP32.deepSleep(1000); }`);
    board.start();
    clock.advance(10);
    expect(lines(board)).toEqual(["cause 0", "cause 4"]);
  });

  it("ESP8266.deepSleep: the program's current callback finishes, the clock restarts at 0, reset reason 'deep sleep'", () => {
    const { board, clock } = virtualBoard(
      `
      print("reason " + ESP8266.getResetInfo().reason + " t " + getTime());
      if (!require("Storage").read("slept")) setTimeout(function () {
        require("Storage").write("slept", "1");
        ESP8266.deepSleep(5e6);
        print("after deepSleep call");
      }, 2000);
      try { ESP8266.deepSleep(1.5); } catch (e) { print(e.message); }
    `,
      { kind: "ESP8266" },
    );
    board.start();
    clock.advance(2000);
    expect(board.state).toBe("sleeping");
    clock.advance(5000);
    expect(lines(board)).toEqual(["reason power on t 0", "Invalid microseconds", "reason deep sleep t 0", "Invalid microseconds"]);
  });

  it("ESP8266.deepSleep(0) sleeps until the reset pin", () => {
    const { board, clock } = virtualBoard(`print("up"); if (!require("Storage").read("s")) { require("Storage").write("s", "1"); ESP8266.deepSleep(0); }`, { kind: "ESP8266" });
    board.start();
    clock.advance(24 * 3600 * 1000);
    expect(board.state).toBe("sleeping");
    board.wake();
    expect(board.state).toBe("running");
    expect(board.resetReason).toBe("reset-pin");
    expect(lines(board)).toEqual(["up", "up"]);
  });

  it("E.reboot: 'kill' handlers run, then the board boots again with RAM cleared", () => {
    const { board, clock } = virtualBoard(COUNTER + `if (boots === 1) setTimeout(function () { E.reboot(); }, 500);`);
    board.start();
    clock.advance(2000);
    expect(lines(board)).toEqual(["boot 1 ram fresh t 0", "init 1", "kill 1", "boot 2 ram fresh t 0.8", "init 2"]);
    expect(board.resetReason).toBe("software");
  });

  it("power loss keeps flash only: no 'kill', timers gone", () => {
    const { board, clock } = virtualBoard(COUNTER + `setInterval(function () { print("tick"); }, 1000);`);
    board.start();
    clock.advance(1500);
    board.powerCycle();
    clock.advance(500);
    expect(lines(board)).toEqual(["boot 1 ram fresh t 0", "init 1", "tick", "boot 2 ram fresh t 0", "init 2"]);
    expect(board.resetReason).toBe("power-on");
  });

  it("shutdown() runs the 'kill' handlers (a clean stop) and turns the board off", () => {
    const { board, clock } = virtualBoard(COUNTER);
    board.start();
    board.shutdown();
    clock.advance(10_000);
    expect(board.state).toBe("off");
    expect(lines(board)).toEqual(["boot 1 ram fresh t 0", "init 1", "kill 1"]);
  });

  it("a watchdog that is not kicked resets the board (ESP32); ESP8266 has none", () => {
    const code = `print("boot"); if (!require("Storage").read("w")) { require("Storage").write("w", "1"); E.enableWatchdog(2.4, false); }`;
    const esp32 = virtualBoard(code);
    esp32.board.start();
    esp32.clock.advance(1999);
    expect(esp32.board.boots).toBe(1);
    esp32.clock.advance(1000); // 2.4 s rounds to 2 s on ESP32, then the reboot delay
    expect(esp32.board.resetReason).toBe("watchdog");
    expect(lines(esp32.board)).toEqual(["boot", "boot"]);
    const esp8266 = virtualBoard(code, { kind: "ESP8266" });
    esp8266.board.start();
    esp8266.clock.advance(60_000);
    expect(esp8266.board.boots).toBe(1);
  });
});

describe("Storage", () => {
  it("behaves as probed on Espruino 2v29", () => {
    const { board } = virtualBoard(`
      var S = require("Storage");
      print(S.write("a", "hello"), S.read("a"), S.read("a", 1, 2), S.read("nope"));
      print(S.writeJSON("j", { x: 1 }), JSON.stringify(S.readJSON("j")), S.readJSON("nope"));
      S.write("bad", "{x:");
      try { S.readJSON("bad"); } catch (e) { print("readJSON threw"); }
      print(S.readJSON("bad", true));
      S.write("abcdefghijklmnopqrstuvwxyz0123", "x");
      print(S.list(/^abc/).join(), S.read("abcdefghijklmnopqrstuvwxyz01"));
      S.write("n", 42); S.write("u8", new Uint8Array([65, 66])); S.write("o", "AB", 0, 4); S.write("o", "CD", 2);
      print(S.read("n"), S.read("u8"), S.read("o"));
      try { S.write("e", ""); } catch (e) { print(e.message); }
      S.erase("a"); S.erase("missing");
      print(S.list().indexOf("a"), S.getFree() < ${224 * 4096});
      try { S.write("big", E.toString({ data: 0, count: ${224 * 4096} })); } catch (e) { print(e.message); }
    `);
    board.start();
    expect(lines(board)).toEqual([
      "true hello el undefined",
      'true {"x":1} undefined',
      "readJSON threw",
      "undefined",
      "abcdefghijklmnopqrstuvwxyz01 x",
      "* AB ABCD",
      "Can't create zero length file",
      "-1 true",
      "Unable to find or create file",
    ]);
  });

  it("has the board's flash size", () => {
    const esp32 = virtualBoard(`print(require("Storage").getFree())`);
    esp32.board.start();
    const esp8266 = virtualBoard(`print(require("Storage").getFree())`, { kind: "ESP8266" });
    esp8266.board.start();
    expect([lines(esp32.board)[0], lines(esp8266.board)[0]]).toEqual([String(224 * 4096), String(48 * 4096)]);
  });
});
