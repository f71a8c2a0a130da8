// Battery mode: wake → read → connect → drain → `sleeping` → DISCONNECT → deep sleep, with a
// hard awake budget, a retained stay-awake, and chained sleeps beyond the chip's limit.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SPILL_FILE } from "../../firmware/buffer";
import { VirtualClock } from "../../sim/virtual-clock";
import { freePort, startMosquitto, type Mosquitto } from "../support/mosquitto";
import { advance, board, capturing, fakeSystem, memoryStorage, observe, retained, rig, until } from "./harness";

let broker: Mosquitto;
beforeAll(async () => {
  broker = await startMosquitto();
});
afterAll(async () => {
  await broker.close();
});

const WALL = 1_767_225_600_000; // 2026-01-01T00:00:00Z

describe("deep sleep", () => {
  it("with the broker down sleeps within the awake budget, keeps the readings, and delivers them on the next wake", async () => {
    const storage = memoryStorage();
    const node = "battery-" + process.pid;
    const sleep = { interval: 60_000, awake: 5_000 };
    const down = board({ node, mqtt: { host: "127.0.0.1", port: await freePort(), keepAlive: 60 }, payload: "json", sleep });

    // Wake 1: nobody listens on the broker's port.
    const first = rig(down, { storage });
    first.sht.setPhysical({ temperature: 11.1, humidity: 41 });
    first.node.start();
    const boot = first.clock.now();
    await until(() => first.system.sleeps.length > 0, "deep sleep", first.clock, 50);
    const slept = first.system.sleeps[0]!;
    expect(slept.at - boot).toBeLessThanOrEqual(sleep.awake + 200);
    expect(slept.ms).toBeGreaterThanOrEqual(sleep.interval - sleep.awake - 200);
    expect(slept.ms).toBeLessThanOrEqual(sleep.interval);
    expect(storage.files[SPILL_FILE]!.split("\n")).toHaveLength(2);
    await advance(first.clock, 10_000, 100);
    expect(first.system.sleeps).toHaveLength(1);

    // Wake 2: a fresh boot (new clock), the broker is there.
    const o = await observe(broker.host, broker.port, `sensornode/${node}/#`);
    const up = { ...down, mqtt: { host: broker.host, port: broker.port, keepAlive: 60 } };
    const clock = new VirtualClock(500);
    const system = fakeSystem(clock, WALL + 60_000);
    const second = rig(up, { storage, clock, system });
    second.sht.setPhysical({ temperature: 22.2, humidity: 42 });
    second.node.start();
    await until(() => system.sleeps.length > 0, "second deep sleep", clock, 10);
    expect(system.sleeps[0]!.at - 500).toBeLessThan(sleep.awake);
    await until(() => o.on(`sensornode/${node}/status`).some((m) => m.payload === "sleeping"), "sleeping");
    const temperatures = o.on(`sensornode/${node}/climate/temperature`).map((m) => JSON.parse(m.payload));
    // The reading kept from the first wake first, with its own time, then this wake's.
    expect(temperatures.map((t) => t.value)).toEqual([11.1, 22.2]);
    expect(Date.parse(temperatures[0].timestamp)).toBeLessThan(Date.parse(temperatures[1].timestamp));
    expect(storage.files[SPILL_FILE]).toBeUndefined();
    const diag = o.on(`sensornode/${node}/diag`).map((m) => JSON.parse(m.payload)).find((d) => d.sleep !== undefined);
    expect(diag.sleep).toBe(system.sleeps[0]!.ms);
    expect(Date.parse(diag.wake)).toBeGreaterThan(WALL);
    expect(await retained(broker.host, broker.port, `sensornode/${node}/status`)).toBe("sleeping");
    await broker.waitForLog(new RegExp(`Client sensornode-${node}-\\w+ disconnected`));
    o.end();
  });

  it("the budget expiring mid-drain keeps what the broker has not acknowledged: spilled before sleeping, delivered on the next wake", async () => {
    const storage = memoryStorage();
    const node = "drain-" + process.pid;
    const sleep = { interval: 60_000, awake: 5_000 };
    const config = board({ node, mqtt: { host: broker.host, port: broker.port, keepAlive: 60 }, payload: "json", sleep });
    const topic = `sensornode/${node}/climate/temperature`;
    // What earlier wakes left: 20 temperatures (key 0), 1.0 to 20.0, a minute apart.
    const earlier = Array.from({ length: 20 }, (_, i) => `0,${i + 1},${WALL - (20 - i) * 60_000},${i + 1}`);
    storage.files[SPILL_FILE] = earlier.join("\n");
    const o = await observe(broker.host, broker.port, `sensornode/${node}/#`);

    // Wake 1: connected, but the readings it hands to the client never reach the broker (the
    // link stalls one way for them), so no PUBACK comes and the budget runs out mid-drain.
    const lost = (bytes: Uint8Array) => (bytes[0]! & 0xf0) === 0x30 && Buffer.from(bytes).toString("latin1").includes("/climate/");
    const first = rig(config, { storage, transport: capturing(lost) });
    first.sht.setPhysical({ temperature: 11.1, humidity: 41 });
    first.node.start();
    const boot = first.clock.now();
    await until(() => first.node.client.connected(), "CONNACK", first.clock);
    await until(() => first.system.sleeps.length > 0, "deep sleep", first.clock, 50);
    expect(first.node.client.pending()).toBeGreaterThan(0);
    // The budget, plus at most the wait for room to say `sleeping` (GOODBYE, 2 s) and a pump turn.
    expect(first.system.sleeps[0]!.at - boot).toBeLessThanOrEqual(sleep.awake + 2_000 + 300);
    const kept = storage.files[SPILL_FILE]!.split("\n");
    // All 20 earlier ones, in order, and this wake's two readings after them.
    expect(kept.slice(0, 20)).toEqual(earlier);
    expect(kept).toHaveLength(22);
    expect(o.on(topic)).toHaveLength(0);

    // Wake 2: the link is fine: everything arrives, oldest first, once.
    const clock = new VirtualClock(500);
    const system = fakeSystem(clock, WALL + 60_000);
    const second = rig(config, { storage, clock, system });
    second.sht.setPhysical({ temperature: 22.2, humidity: 42 });
    second.node.start();
    await until(() => system.sleeps.length > 0, "second deep sleep", clock, 10);
    await until(() => o.on(`sensornode/${node}/status`).some((m) => m.payload === "sleeping"), "sleeping");
    const values = o.on(topic).map((m) => JSON.parse(m.payload).value);
    expect(values).toEqual([...Array.from({ length: 20 }, (_, i) => i + 1), 11.1, 22.2]);
    expect(storage.files[SPILL_FILE]).toBeUndefined();
    o.end();
  });

  it("a retained stay-awake keeps the node up and reading; `sleep` lets it go", async () => {
    const node = "awake-" + process.pid;
    const config = board({ node, mqtt: { host: broker.host, port: broker.port, keepAlive: 60 }, sleep: { interval: 60_000, awake: 5_000 } });
    const o = await observe(broker.host, broker.port, `sensornode/${node}/#`);
    o.client.publish(`sensornode/${node}/cmd`, "stay-awake", 1, true);
    await until(() => o.on(`sensornode/${node}/cmd`).length === 1, "the retained command");
    const r = rig(config);
    r.node.start();
    await advance(r.clock, 40_000, 20);
    expect(r.system.sleeps).toHaveLength(0);
    expect(o.on(`sensornode/${node}/climate/temperature`).length).toBeGreaterThanOrEqual(4);
    o.client.publish(`sensornode/${node}/cmd`, "", 1, true);
    o.client.publish(`sensornode/${node}/cmd`, "sleep", 1, false);
    await until(() => r.system.sleeps.length === 1, "sleep", r.clock, 20);
    expect(await retained(broker.host, broker.port, `sensornode/${node}/status`)).toBe("sleeping");
    o.end();
  });

  it("chains sleeps longer than the chip can do, without reading in between", () => {
    const storage = memoryStorage();
    const clock = new VirtualClock(0);
    const system = fakeSystem(clock, WALL);
    const config = board({ node: "long-" + process.pid, mqtt: { host: "127.0.0.1", port: 1, keepAlive: 60 }, sleep: { interval: 3 * 3600_000, awake: 2_000 } });
    // What a wake left owed: 3 h minus the first 35-minute piece (and the time awake).
    storage.files["sn-sleep"] = "3000000";
    const r = rig(config, { storage, clock, system });
    r.node.start();
    expect(system.sleeps).toEqual([{ ms: 2_100_000, at: 0 }]);
    expect(storage.files["sn-sleep"]).toBe("900000");
    expect(r.transport.connections).toHaveLength(0);
    const last = rig(config, { storage, clock, system });
    last.node.start();
    expect(system.sleeps[1]!.ms).toBe(900_000);
    expect(storage.files["sn-sleep"]).toBeUndefined();
  });
});
