// require("net") against a real local TCP server, with Espruino's semantics (see sim/board/net.ts).
// Every wait is for an event, with a generous limit; ports are picked by the OS.
import * as net from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { RealClock } from "../../../sim/board/scheduler";
import { VirtualBoard } from "../../../sim/board/board";
import type { BoardKind } from "../../../boards/schema";

interface Server {
  port: number;
  received: Buffer[];
  connections: net.Socket[];
  nextConnection(): Promise<net.Socket>;
  receivedText(): string;
  close(): Promise<void>;
}

const open: { close(): unknown }[] = [];
afterEach(async () => {
  for (const item of open.splice(0)) await item.close();
});

async function server(): Promise<Server> {
  const received: Buffer[] = [];
  const connections: net.Socket[] = [];
  const waiting: ((s: net.Socket) => void)[] = [];
  const srv = net.createServer((socket) => {
    connections.push(socket);
    socket.on("data", (d) => received.push(d));
    socket.on("error", () => undefined);
    waiting.splice(0).forEach((w) => w(socket));
  });
  await new Promise<void>((resolve) => srv.listen(0, "127.0.0.1", resolve));
  const result: Server = {
    port: (srv.address() as net.AddressInfo).port,
    received,
    connections,
    nextConnection: () => (connections.length ? Promise.resolve(connections[connections.length - 1]!) : new Promise((resolve) => waiting.push(resolve))),
    receivedText: () => Buffer.concat(received).toString("latin1"),
    close: () =>
      new Promise<void>((resolve) => {
        connections.forEach((c) => c.destroy());
        srv.close(() => resolve());
      }),
  };
  open.push(result);
  return result;
}

/** A port nobody listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((resolve) => srv.listen(0, "127.0.0.1", resolve));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise((resolve) => srv.close(resolve));
  return port;
}

function board(code: string, kind: BoardKind = "LINUX"): VirtualBoard {
  const b = new VirtualBoard({ kind, name: "net-" + kind.toLowerCase(), code, clock: new RealClock({ keepAlive: false }), wifi: { joinTime: 20 } });
  open.push({ close: () => b.dispose() });
  return b;
}

async function until(test: () => boolean, what: string, timeout = 10_000): Promise<void> {
  const start = Date.now();
  while (!test()) {
    if (Date.now() - start > timeout) throw new Error("timed out waiting for " + what);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe("net sockets against a real TCP server", () => {
  it("sends strings byte for byte and a Uint8Array as its text; receives 8-bit strings", async () => {
    const srv = await server();
    const b = board(`
      var s = require("net").connect({ host: "127.0.0.1", port: ${srv.port} }, function () {
        print("connected");
        s.write("A\\xff\\x00");
        s.write(new Uint8Array([1, 2, 3]));
      });
      s.on("data", function (d) {
        var codes = [];
        for (var i = 0; i < d.length; i++) codes.push(d.charCodeAt(i));
        print("data", typeof d, codes.join());
      });
    `);
    b.start();
    await b.waitFor(/^connected$/);
    await until(() => srv.receivedText() === "A\xff\x001,2,3", "the bytes at the server");
    const peer = await srv.nextConnection();
    peer.write(Buffer.from([0x41, 0x00, 0xff, 0x80]));
    const data = await b.waitFor(/^data /);
    expect(data.text).toBe("data string 65,0,255,128");
  });

  it("fires 'end' then 'close' when the peer drops the connection", async () => {
    const srv = await server();
    const b = board(`
      var s = require("net").connect({ host: "127.0.0.1", port: ${srv.port} }, function () { print("connected"); });
      s.on("end", function () { print("end"); });
      s.on("close", function (hadError) { print("close " + hadError); });
    `);
    b.start();
    await b.waitFor(/^connected$/);
    (await srv.nextConnection()).end();
    await b.waitFor(/^close /);
    expect(b.log.filter((l) => l === "end" || l.startsWith("close"))).toEqual(["end", "close false"]);
  });

  it("throws synchronously from connect when refused (ESP32 / Linux), after Espruino's ERROR line", async () => {
    const port = await closedPort();
    const b = board(`
      try {
        require("net").connect({ host: "127.0.0.1", port: ${port} }, function () { print("connected?!"); });
        print("returned");
      } catch (e) {
        print("threw " + e.toString() + " / " + e.message);
      }
    `);
    b.start();
    expect(b.log).toEqual(["ERROR: Connect failed (err 111)", "threw InternalError: Unable to create socket / Unable to create socket"]);
  });

  it("throws 'Unable to locate host' for a host that does not resolve", () => {
    const b = board(`
      try { require("net").connect({ host: "no-such-host.invalid", port: 1883 }); print("returned"); }
      catch (e) { print("threw " + e.message); }
    `);
    b.start();
    expect(b.log).toEqual(["threw Unable to locate host"]);
  });

  it("on ESP8266 a refused connect returns, then 'error' {code, message}, 'end', 'close'(true)", async () => {
    const port = await closedPort();
    const b = board(
      `
      require("Wifi").connect("ap", { password: "x" }, function () {
        var s = require("net").connect({ host: "127.0.0.1", port: ${port} });
        print("returned");
        s.on("error", function (e) { print("error " + e.code + " " + e.message); });
        s.on("end", function () { print("end"); });
        s.on("close", function (h) { print("close " + h); });
      });
    `,
      "ESP8266",
    );
    b.start();
    await b.waitFor(/^close /);
    expect(b.log).toEqual(["returned", "error -9 connection reset", "end", "close true"]);
  });

  it("on ESP32 there is no network before WiFi is up: connect throws", () => {
    const b = board(`try { require("net").connect({ host: "127.0.0.1", port: 1 }); } catch (e) { print(e.message); }`, "ESP32");
    b.start();
    expect(b.log).toEqual(["ERROR: Connect failed (err 113)", "Unable to create socket"]);
  });

  it("routes the configured broker address to where the broker really is", async () => {
    const srv = await server();
    const b = new VirtualBoard({
      kind: "LINUX",
      name: "routed",
      clock: new RealClock({ keepAlive: false }),
      network: { route: (host, port) => (host === "192.168.1.10" && port === 1883 ? { host: "127.0.0.1", port: srv.port } : undefined) },
      code: `var s = require("net").connect({ host: "192.168.1.10", port: 1883 }, function () { s.write("hi"); print("connected"); });`,
    });
    open.push({ close: () => b.dispose() });
    b.start();
    await b.waitFor(/^connected$/);
    await until(() => srv.receivedText() === "hi", "hi at the server");
  });

  it("a fault seam sees every chunk (here: delays what the board sends) and a socket can be dropped", async () => {
    const srv = await server();
    const held: (() => void)[] = [];
    const b = new VirtualBoard({
      kind: "LINUX",
      name: "faulty",
      clock: new RealClock({ keepAlive: false }),
      network: { faults: { transfer: (direction, _data, deliver) => (direction === "send" ? held.push(deliver) : deliver()) } },
      code: `
        var s = require("net").connect({ host: "127.0.0.1", port: ${srv.port} }, function () { s.write("late"); print("connected"); });
        s.on("end", function () { print("end"); });
        s.on("close", function (h) { print("close " + h); });
      `,
    });
    open.push({ close: () => b.dispose() });
    b.start();
    await b.waitFor(/^connected$/);
    expect(held).toHaveLength(1);
    expect(srv.receivedText()).toBe("");
    held[0]!();
    await until(() => srv.receivedText() === "late", "the held chunk");
    expect(b.sockets).toHaveLength(1);
    b.sockets[0]!.drop();
    expect(b.log.slice(-2)).toEqual(["end", "close false"]);
  });
});
