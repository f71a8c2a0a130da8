// The simulated console on a VirtualBoard (sim/console/board-runtime.ts), typed into over TCP:
// REPL lines run in the board's realm (Espruino's globals, require("net")), Storage is the
// board's flash, reset() clears RAM without running .bootcde (E.on('kill') first), load() and
// power-on boot .bootcde in the board.
import net from "node:net";
import { afterEach, expect, it } from "vitest";
import { VirtualBoard } from "../../sim/board/board";
import { boardConsole, virtualBoardRuntime } from "../../sim/console/board-runtime";
import { SimulatedConsole } from "../../sim/console/server";

const BOOT_CODE = 'var boots = 1; E.on("kill", function () { print("kill handler ran"); }); print("booted, net.connect is a " + typeof require("net").connect);';

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup) await step();
  cleanup = [];
});

async function session(board: VirtualBoard) {
  const sim = boardConsole(board);
  await sim.listen(0);
  const socket = net.connect({ host: "127.0.0.1", port: sim.port });
  let text = "";
  const waiters: (() => void)[] = [];
  socket.on("data", (chunk: Buffer) => {
    text += chunk.toString("latin1");
    waiters.forEach((w) => w());
  });
  await new Promise<void>((resolve) => socket.once("connect", () => resolve()));
  cleanup.push(async () => {
    socket.destroy();
    await sim.close();
    board.dispose();
  });
  /** Types a line and resolves with what the board answered once `until` shows up after it. */
  const type = (line: string, until: string) =>
    new Promise<string>((resolve, reject) => {
      const from = text.length;
      const timer = setTimeout(() => reject(new Error(`no ${JSON.stringify(until)} after ${JSON.stringify(line)}; got ${JSON.stringify(text.slice(from))}`)), 5000);
      const check = () => {
        if (!text.slice(from).includes(until)) return;
        clearTimeout(timer);
        resolve(text.slice(from));
      };
      waiters.push(check);
      socket.write(`${line}\n`);
    });
  return { sim, type };
}

it("power-on boots .bootcde from the board's flash, in the board (Espruino's globals)", async () => {
  const board = new VirtualBoard({ code: "", kind: "LINUX", name: "console-board" });
  board.flash.set(".bootcde", BOOT_CODE);
  const { sim, type } = await session(board);
  expect(sim.storage).toBe(board.flash);
  expect(sim.bootOutput).toEqual(["booted, net.connect is a function"]);
  expect(board.state).toBe("running");
  expect(await type("boots", "=1")).toContain("=1\r\n");
  // A REPL line's Storage is the board's flash.
  await type('require("Storage").write("note", "hello")', "=true");
  expect(board.flash.get("note")).toBe("hello");
});

it("reset() runs E.on('kill'), clears RAM and does not boot .bootcde; load() boots it", async () => {
  const board = new VirtualBoard({ code: "", kind: "LINUX", name: "console-board" });
  board.flash.set(".bootcde", BOOT_CODE);
  const { sim, type } = await session(board);
  const reset = await type("reset()", "espruino.com");
  expect(reset).toContain("kill handler ran");
  expect(await type("typeof boots", "=")).toContain('="undefined"');
  expect(sim.boots).toBe(1);
  const load = await type("load()", "net.connect is a function");
  expect(load).not.toContain("kill handler ran"); // RAM after reset() held no handler
  expect(sim.boots).toBe(2);
  expect(await type("boots", "=")).toContain("=1\r\n");
  // A second load(): the booted code's kill handler runs before its RAM goes.
  expect(await type("load()", "net.connect is a function")).toContain("kill handler ran");
});

it("an error in a timer of the booted code reaches the console as Uncaught", async () => {
  const board = new VirtualBoard({ code: "", kind: "LINUX", name: "console-board" });
  board.flash.set(".bootcde", 'setTimeout(function () { missing(); }, 10);');
  const { sim } = await session(board);
  await board.waitFor(/Uncaught/, { timeout: 5000 });
  expect(sim.outputLines.some((l) => l.startsWith("Uncaught ReferenceError"))).toBe(true);
});

it("refuses a console whose storage is not the board's flash", () => {
  const board = new VirtualBoard({ code: "", kind: "LINUX", name: "console-board" });
  expect(() => new SimulatedConsole({ runtime: virtualBoardRuntime(board) })).toThrow(/storage must be the board's flash/);
});
