// Many boards on one virtual timeline, reproducibility, and a simulated node talking to a
// real Mosquitto through the virtual board's net module on virtual time.
import { afterAll, describe, expect, it } from "vitest";
import { VirtualBoard } from "../../../sim/board/board";
import { runClock, SimClock } from "../../../sim/board/scheduler";
import { socketHost } from "../../../sim/board/socket-host";
import { startMosquitto, type Mosquitto } from "../../support/mosquitto";

const NOISY = `
  var wifi = require("Wifi");
  print("serial " + getSerial() + " rand " + (E.hwRand() & 0xffff));
  wifi.connect("ap", { password: "pw" }, function () {
    setInterval(function () { print("rssi " + wifi.getDetails().rssi + " at " + getTime()); }, 60000);
  });
`;

function eventLog(seed: number): string {
  const clock = new SimClock();
  const board = new VirtualBoard({ kind: "ESP32", name: "n1", seed, clock, code: NOISY });
  board.start();
  clock.advance(3600_000);
  return JSON.stringify(board.events);
}

describe("reproducibility", () => {
  it("the same seed gives the same event log, event for event; another seed another one", () => {
    const first = eventLog(42);
    expect(eventLog(42)).toBe(first);
    expect(eventLog(43)).not.toBe(first);
    expect(JSON.parse(first).filter((e: { type: string }) => e.type === "log")).toHaveLength(60); // the serial line + one RSSI line a minute after joining
  });
});

describe("many boards on one SimClock", () => {
  it("runs 500 boards for a simulated hour, every board's schedule kept", () => {
    const clock = new SimClock();
    const boards = Array.from({ length: 500 }, (_, i) =>
      new VirtualBoard({ kind: i % 2 ? "ESP8266" : "ESP32", name: "node-" + i, clock, keepEvents: false, logLimit: 10, code: `var n = 0; setInterval(function () { n++; }, 10000);` }),
    );
    const started = performance.now();
    boards.forEach((b) => b.start());
    clock.advance(3600_000);
    const elapsed = performance.now() - started;
    expect(boards.every((b) => b.global!.n === 360)).toBe(true);
    expect(clock.now()).toBe(3600_000);
    // 180,000 timer firings; a generous bound that still catches an O(n) scheduler
    expect(elapsed).toBeLessThan(20_000);
  });
});

describe("a virtual node and a real Mosquitto", () => {
  let broker: Mosquitto | undefined;
  afterAll(async () => {
    await broker?.close();
  });

  it("joins WiFi, connects to the broker address of its board file (routed to the local broker) and gets CONNACK, on virtual time", async () => {
    broker = await startMosquitto();
    const port = broker.port;
    const clock = new SimClock();
    const board = new VirtualBoard({
      kind: "ESP32",
      name: "sim-node",
      clock,
      network: { route: (host, p) => (host === "192.168.1.10" && p === 1883 ? { host: "127.0.0.1", port } : undefined) },
      code: `
        require("Wifi").connect("greenhouse-iot", { password: "x" }, function () {
          var s = require("net").connect({ host: "192.168.1.10", port: 1883 }, function () {
            // CONNECT: MQTT 3.1.1, clean session, keepalive 60 s, client id "sim-node"
            s.write("\\x10\\x14\\x00\\x04MQTT\\x04\\x02\\x00\\x3c\\x00\\x08sim-node");
          });
          s.on("data", function (d) {
            var codes = [];
            for (var i = 0; i < d.length; i++) codes.push(d.charCodeAt(i));
            print("received " + codes.join() + " at " + getTime());
            s.end();
          });
          s.on("close", function () { print("closed"); });
        });
      `,
    });
    board.start();
    const run = runClock(clock, { virtual: true, quiet: () => socketHost().quiet(5), busy: () => socketHost().open > 0, stopWhen: () => board.log.includes("closed"), until: 600_000 });
    await run.done;
    run.stop();
    expect(board.log[0]).toMatch(/^received 32,2,0,0 at 1\.\d+$/);
    expect(board.log[1]).toBe("closed");
    await broker.waitForLog(/New client connected from 127\.0\.0\.1:\d+ as sim-node/);
    board.dispose();
  });
});
