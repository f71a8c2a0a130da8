// The node application end to end (issue 5, Tests): the real built bundle on a VirtualBoard,
// virtual time, against a real Mosquitto AND the embedded aedes broker. test/firmware/ drives
// the same behaviours through createNode's interfaces; these run what is flashed.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { VALID_FROM } from "../../../firmware/time";
import type { Simulation } from "../../../sim/cli";
import type { NodeBundle } from "../../../sim/fleet-build";
import { retained, type Observer } from "../../firmware/harness";
import { boardFile, brokerDown, brokerUp, buildNode, hardware, observe, readings, runNodes, startTestBroker, until, type BrokerKind, type TestBroker } from "./helpers";

const MINUTE = 60_000;
/** The outage starts here, after boot, SNTP, the first readings. */
const DOWN = MINUTE;
const EPOCH = Date.UTC(2026, 0, 1); // the VirtualBoard's wall clock at virtual time 0

let bundles: Record<string, NodeBundle>;
beforeAll(async () => {
  bundles = {
    outage: await buildNode(boardFile("e2e-outage")),
    overflow: await buildNode(boardFile("e2e-overflow", { buffer: 8 })),
    status: await buildNode(boardFile("e2e-status", { payload: "plain" })),
    battery: await buildNode(boardFile("e2e-battery", { sleep: { interval: MINUTE, awake: 5_000 } })),
    door: await buildNode(boardFile("e2e-door", { inputs: [{ name: "door", pin: "D5", kind: "door", pull: "up", debounce: 50 }] })),
  };
});

/** Seqs are per boot and shared by every measurement: none between two neighbours means none lost, increasing means in order. */
function breaks(seqs: number[]): [number, number][] {
  return seqs.flatMap((s, i): [number, number][] => (i > 0 && s !== seqs[i - 1]! + 1 ? [[seqs[i - 1]!, s]] : []));
}

describe.each(["mosquitto", "aedes"] as BrokerKind[])("against %s", (kind) => {
  let broker: TestBroker;
  let observers: Observer[] = [];
  beforeAll(async () => {
    broker = await startTestBroker(kind);
  });
  afterAll(async () => {
    observers.forEach((o) => o.end());
    observers = [];
    await broker.close();
  });
  async function watch(node: string): Promise<Observer> {
    const o = await observe(broker.host, broker.port, `sensornode/${node}/#`);
    observers.push(o);
    return o;
  }

  it("a 30-minute broker outage at a 10 s interval loses nothing and keeps the order; no timestamp predates time sync", async () => {
    const node = "e2e-outage";
    const o = await watch(node);
    const up = DOWN + 30 * MINUTE;
    const end = up + 3 * MINUTE;
    const run = await runNodes([bundles.outage!], broker, { duration: end, at: [[DOWN, brokerDown(broker)], [up, brokerUp(broker, o)]] });
    // Every reading taken before the stop, as the node numbered them (its last seq).
    const taken = Math.floor(end / 10_000) * 2;
    await until(() => readings(o, node).length >= taken - 2, "the readings");
    const all = readings(o, node);
    const seqs = all.map((r) => r.seq);
    expect(seqs[0]).toBe(1);
    expect(breaks(seqs)).toEqual([]);
    expect(all.length).toBeGreaterThanOrEqual(taken - 2);
    // 180 readings of each measurement were taken while the broker was down, 10 s apart.
    const stamped = all.filter((r) => r.timestamp !== undefined);
    const stamps = stamped.map((r) => Date.parse(r.timestamp!));
    expect(stamped.filter((_, i) => stamps[i]! > EPOCH + DOWN && stamps[i]! < EPOCH + up).length).toBeGreaterThanOrEqual(2 * 179);
    // (From the second: the boot reading's rebased time can be late, see below.)
    const temperatures = stamped.filter((r) => r.topic.endsWith("/temperature") && r.seq > 2).map((r) => Date.parse(r.timestamp!));
    for (let i = 1; i < temperatures.length; i++) expect(temperatures[i]! - temperatures[i - 1]!).toBeCloseTo(10_000, -2);
    // Time: a reading carries a timestamp only once SNTP has answered, and never a 1970 date.
    // The boot readings were taken before the sync: sent before it, they go without one;
    // sent after, they carry their rebased capture time, at or before the sync. (At most the
    // time since the firmware last read the clock before the jump late: hal/espruino/clock.ts
    // cannot see how long getTime() ran before SNTP moved it.)
    const sync = run.boardEvents("sntp-sync");
    expect(sync).toHaveLength(1);
    expect(all.filter((r) => r.timestamp === undefined && r.seq > 2)).toEqual([]);
    expect(stamped.filter((r) => r.seq <= 2 && Date.parse(r.timestamp!) > EPOCH + sync[0]!.time)).toEqual([]);
    expect(stamped.filter((r) => !(Date.parse(r.timestamp!) >= EPOCH && Date.parse(r.timestamp!) >= VALID_FROM))).toEqual([]);
    expect(await retained(broker.host, broker.port, `sensornode/${node}/status`)).toBe("offline");
  });

  it("beyond its buffer (8 in RAM + 32 in Storage) drops the oldest and publishes how many in diag", async () => {
    const node = "e2e-overflow";
    const o = await watch(node);
    const up = DOWN + 5 * MINUTE;
    const command = () => {
      o.client.publish(`sensornode/${node}/cmd`, "diag", 1, false);
      return until(() => o.on(`sensornode/${node}/diag`).length >= 2, "diag on request");
    };
    await runNodes([bundles.overflow!], broker, { duration: up + 2 * MINUTE, at: [[DOWN, brokerDown(broker)], [up, brokerUp(broker, o)], [up + MINUTE, command]] });
    const diag = JSON.parse(o.on(`sensornode/${node}/diag`)[1]!.payload);
    const seqs = readings(o, node).map((r) => r.seq);
    // Readings before the outage, then a gap of exactly the dropped count, then the rest in order.
    const gap = seqs.findIndex((s, i) => i > 0 && s !== seqs[i - 1]! + 1);
    expect(gap).toBeGreaterThan(0);
    expect(seqs[gap]! - seqs[gap - 1]! - 1).toBe(diag.dropped);
    expect(breaks(seqs.slice(gap))).toEqual([]);
    // 30 outage readings of each measurement, 40 kept: about 20 dropped, the oldest ones.
    expect(diag.dropped).toBeGreaterThanOrEqual(16);
    expect(diag.buffer).toBe(0);
  });

  it("status: a destroyed socket leaves retained offline (the will), the reconnect sets online, a clean shutdown leaves offline, a restart online", async () => {
    const node = "e2e-status";
    const status = `sensornode/${node}/status`;
    const o = await watch(node);
    const seen: Record<string, string | undefined> = {};
    const drop = (simulation: Simulation) => {
      simulation.nodes[0]!.board.sockets.forEach((socket) => socket.drop());
      // Virtual time waits while the broker notices and publishes the will.
      return (async () => {
        await until(() => o.on(status).some((m) => m.payload === "offline"), "the will");
        seen.afterDrop = await retained(broker.host, broker.port, status);
      })();
    };
    await runNodes([bundles.status!], broker, { duration: 3 * MINUTE, at: [[MINUTE, drop]] });
    expect(seen.afterDrop).toBe("offline");
    const payloads = o.on(status).map((m) => m.payload);
    expect(payloads).toEqual(["online", "offline", "online", "offline"]);
    // The last offline is the node's own (Simulation.stop runs its 'kill' handler), then
    // DISCONNECT: no will after it.
    await until(() => o.on(status).length >= 4, "the clean offline");
    expect(await retained(broker.host, broker.port, status)).toBe("offline");

    // A new boot after that offline says online again.
    await runNodes([bundles.status!], broker, { duration: MINUTE, at: [[30_000, async () => (seen.restarted = await retained(broker.host, broker.port, status))]] });
    expect(seen.restarted).toBe("online");
    expect(o.on(status).map((m) => m.payload).slice(4)).toEqual(["online", "offline"]);
  });

  it("input edges while the broker is down arrive after it in order, and the retained state is the current one", async () => {
    const node = "e2e-door";
    const door = `sensornode/${node}/door/state`;
    const o = await watch(node);
    const up = DOWN + 5 * MINUTE;
    // The reed contact pulls the pin low when the door closes (state OFF with this wiring).
    const contact = (level: boolean) => (simulation: Simulation) => void hardware(simulation).gpio.drive("D5", level);
    await runNodes([bundles.door!], broker, {
      duration: up + MINUTE,
      at: [[DOWN, brokerDown(broker)], [DOWN + MINUTE, contact(false)], [DOWN + 2 * MINUTE, contact(true)], [DOWN + 3 * MINUTE, contact(false)], [up, brokerUp(broker, o)]],
    });
    await until(() => o.on(door).length >= 5, "the door's edges");
    // Boot state, the three edges from the outage, then the state again at the reconnect.
    expect(o.on(door).map((m) => m.payload)).toEqual(["ON", "OFF", "ON", "OFF", "OFF"]);
    // The readings around them kept their order too (one seq for readings and edges alike).
    expect(breaks(readings(o, node).map((r) => r.seq)).every(([before, after]) => after > before)).toBe(true);
    expect(await retained(broker.host, broker.port, door)).toBe("OFF");
  });

  it("deep sleep with the broker down: sleeps within the awake budget, keeps the readings, delivers them on the next wake", async () => {
    const node = "e2e-battery";
    const o = await watch(node);
    const run = await runNodes([bundles.battery!], broker, {
      duration: 2 * MINUTE + 30_000,
      at: [
        // Down before the node's WiFi has joined, so wake 1 never reaches it.
        [0, brokerDown(broker)],
        [30_000, (simulation) => void hardware(simulation).devices.climate!.setPhysical({ temperature: 22.2 })],
        [40_000, brokerUp(broker, o)],
      ],
      seed: 2,
    });
    const boots = run.boardEvents("boot");
    const sleeps = run.boardEvents("sleep");
    expect(boots.map((e) => e.reason)).toEqual(["power-on", "deep-sleep", "deep-sleep"]);
    // Wake 1: no broker; asleep within the 5 s budget (plus a pump turn and the 100 ms before sleeping).
    expect(sleeps[0]!.time - boots[0]!.time).toBeLessThanOrEqual(5_000 + 300);
    expect(Number(sleeps[0]!.ms)).toBeGreaterThanOrEqual(MINUTE - 5_300);
    // Wake 2 delivered wake 1's readings, then its own, and slept well within the budget.
    expect(sleeps[1]!.time - boots[1]!.time).toBeLessThan(5_000);
    await until(() => o.on(`sensornode/${node}/status`).some((m) => m.payload === "sleeping"), "sleeping");
    const temperatures = readings(o, node).filter((r) => r.topic.endsWith("/temperature"));
    expect(temperatures.slice(0, 2).map((r) => r.value)).toEqual([20, 22.2]);
    const stamps = temperatures.map((r) => Date.parse(r.timestamp!));
    // Wake 1's reading was taken at boot, before SNTP answered: it was dated when the sync
    // came (before sleeping), at its capture time, not the sync's and never 1970.
    const sync = run.boardEvents("sntp-sync")[0]!;
    expect(sync.time).toBeLessThan(sleeps[0]!.time);
    expect(stamps[0]!).toBeGreaterThanOrEqual(EPOCH);
    expect(stamps[0]!).toBeLessThanOrEqual(EPOCH + sync.time);
    expect(stamps[1]!).toBeGreaterThanOrEqual(EPOCH + boots[1]!.time);
    expect(stamps.filter((t) => !(t >= VALID_FROM))).toEqual([]);
  });
});
