// A bundle that reaches for Node (or for JavaScript Espruino lacks) fails in the virtual
// board as on the real one, with a message that names what was missing; the board goes on.
import { describe, expect, it } from "vitest";
import { lines, virtualBoard } from "./helpers";

function run(code: string) {
  const { board, clock } = virtualBoard(code);
  board.start();
  clock.advance(1000);
  return board;
}

describe("only Espruino's globals", () => {
  it("Buffer fails with a message naming Buffer, and the rest of the program still runs", () => {
    const board = run(`
      setTimeout(function () { print("still running"); }, 100);
      var b = Buffer.from("hello");
    `);
    const uncaught = board.events.find((e) => e.type === "uncaught")!;
    expect(uncaught.message).toBe("ReferenceError: Buffer is not defined");
    expect(uncaught.hint).toMatch(/^Buffer is missing on this board: Buffer is a Node API/);
    expect(board.log).toContain("Uncaught ReferenceError: Buffer is not defined");
    expect(board.log.some((l) => l.includes("simulator: Buffer is missing"))).toBe(true);
    expect(lines(board)).toContain("still running");
  });

  it('require("fs") fails with Espruino\'s message and a hint that it is a Node module', () => {
    const board = run(`require("fs").readFileSync("x");`);
    const uncaught = board.events.find((e) => e.type === "uncaught")!;
    expect(uncaught.message).toBe('Error: Module "fs" not found');
    expect(uncaught.hint).toBe('require("fs") is missing on this board: "fs" is a Node module');
  });

  it("process.nextTick, setImmediate and Map fail and are named", () => {
    const board = run(`
      setTimeout(function () { process.nextTick(function () {}); }, 1);
      setTimeout(function () { setImmediate(function () {}); }, 2);
      setTimeout(function () { new Map(); }, 3);
      setTimeout(function () { Array.from([1]); }, 4);
    `);
    const hints = board.events.filter((e) => e.type === "uncaught").map((e) => e.hint);
    expect(hints).toEqual([
      expect.stringMatching(/^process\.nextTick is missing on this board/),
      expect.stringMatching(/^setImmediate is missing on this board: setImmediate is a Node API/),
      expect.stringMatching(/^Map is missing on this board/),
      expect.stringMatching(/^Array\.from is missing on this board/),
    ]);
  });

  it("has no Node globals at all, and Espruino's own ones", () => {
    const board = run(`
      print([typeof Buffer, typeof process.nextTick, typeof setImmediate, typeof module, typeof exports, typeof TextEncoder, typeof Symbol, typeof Map].join());
      print([typeof E, typeof getTime, typeof getSerial, typeof print, typeof require, typeof global, typeof InternalError, typeof ({}).on, typeof I2C1, typeof OneWire, typeof ESP32].join());
    `);
    expect(lines(board)).toEqual([
      "undefined,undefined,undefined,undefined,undefined,undefined,undefined,undefined",
      "object,function,function,function,function,object,function,function,object,function,object",
    ]);
  });

  it("the global object's built-ins are the board's own, not the host's", () => {
    const { board } = virtualBoard(`var bytes = E.toUint8Array("AB"); var isU8 = bytes instanceof Uint8Array;`);
    board.start();
    expect(board.global!.isU8).toBe(true);
    expect(board.global!.Object).not.toBe(Object);
  });
});

describe("E, process and the console", () => {
  it("E.toString / E.toUint8Array convert as Espruino does (bytes & 255, {data, count})", () => {
    const board = run(`
      print(JSON.stringify(E.toString(65, "BC", [68, 69], new Uint8Array([70, 300]))));
      print(E.toString({ data: "AB", count: 2 }));
      var u = E.toUint8Array("A\\xff", [1, 256]);
      print(u.length, u[0], u[1], u[2], u[3]);
    `);
    expect(lines(board)).toEqual(['"ABCDEF,"', "ABAB", "4 65 255 1 0"]);
  });

  it("every object is an event emitter whose emit() runs listeners later", () => {
    const board = run(`
      var o = {};
      o.on("x", function (a, b) { print("x", a, b); });
      o.emit("x", 1, 2);
      print("after emit", Object.keys(o).join());
    `);
    expect(lines(board)).toEqual(["after emit #onx", "x 1 2"]);
  });

  it("process.env names the board; process.memory() is an estimate and says so; getSerial is stable per seed", () => {
    const board = run(`
      print(process.env.BOARD, process.env.VERSION, process.env.STORAGE);
      var m = process.memory();
      print(m.total, m.blocksize, m.estimated, m.usage > 0, m.free + m.usage === m.total);
      print(getSerial());
    `);
    const [env, memory, serial] = lines(board);
    expect(env).toBe("ESP32 2v29 917504");
    expect(memory).toBe("16383 14 true true true");
    expect(serial).toMatch(/^240ac4[0-9a-f]{2}-[0-9a-f]{4}$/);
    expect(lines(run(`print(getSerial())`))[0]).toBe(serial);
  });

  it("print and console.log format like Espruino", () => {
    const board = run(`console.log("a", 1, { x: [1, 2] }, new Uint8Array([3]), undefined, null, true);`);
    expect(lines(board)).toEqual(['a 1 { "x": [ 1, 2 ] } new Uint8Array([3]) undefined null true']);
  });
});
