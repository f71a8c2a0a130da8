// Store-and-forward end to end: the node keeps readings and input edges through a broker
// outage and delivers them in order when the broker is back; beyond capacity the oldest go,
// counted.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SPILL_FILE } from "../../firmware/buffer";
import { VALID_FROM } from "../../firmware/time";
import { startMosquitto, type Mosquitto } from "../support/mosquitto";
import { advance, board, observe, retained, rig, until } from "./harness";

let broker: Mosquitto;
// A broker per test: these tests stop and restart it.
beforeEach(async () => {
  broker = await startMosquitto();
});
afterEach(async () => {
  await broker.close();
});

/** Temperatures set before each reading: 10.0, 10.1, 10.2 ... (unique, increasing). */
const temperature = (step: number) => Math.round((10 + step * 0.1) * 10) / 10;

describe("store-and-forward", () => {
  it("loses nothing in a 30-minute outage at a 10 s interval, and keeps the order", async () => {
    const config = board({ mqtt: { host: broker.host, port: broker.port, keepAlive: 60 }, payload: "json", retain: true });
    const o = await observe(broker.host, broker.port);
    const r = rig(config);
    const topic = `sensornode/${config.node}/climate/temperature`;
    let step = 0;
    r.sht.setPhysical({ temperature: temperature(step) });
    r.node.start();
    await until(() => o.on(topic).length === 1, "first reading", r.clock);

    await broker.stop();
    await until(() => !r.node.client.connected(), "the node to notice", r.clock);
    // 30 minutes of readings while the broker is down: 180 per measurement.
    for (let i = 0; i < 180; i++) {
      r.sht.setPhysical({ temperature: temperature(++step) });
      await advance(r.clock, 10_000, 1000);
    }
    const diag = JSON.parse(r.node.diag());
    // Readings handed to the client before it noticed the outage wait in its QoS 1 queue.
    expect(diag.buffer + r.node.client.pending()).toBeGreaterThanOrEqual(360);
    expect(diag.dropped).toBe(0);

    const subacks = o.subacks();
    await broker.restart();
    await until(() => o.subacks() > subacks, "observer back");
    await until(() => o.on(topic).length >= 181 && JSON.parse(r.node.diag()).buffer === 0, "the backlog", r.clock, 20);

    const readings = o.on(topic).map((m) => JSON.parse(m.payload));
    const values = readings.map((x) => x.value);
    // Every value once, in the order taken (the live ones after the backlog).
    expect(values.slice(0, 181)).toEqual(Array.from({ length: 181 }, (_, i) => temperature(i)));
    const seqs = readings.map((x) => x.seq);
    expect(seqs.every((s, i) => i === 0 || s > seqs[i - 1])).toBe(true);
    // Timestamps 10 s apart, never before time sync.
    const times = readings.slice(0, 181).map((x) => Date.parse(x.timestamp));
    expect(times.every((t) => t >= VALID_FROM)).toBe(true);
    for (let i = 2; i < 181; i++) expect(times[i]! - times[i - 1]!).toBeCloseTo(10_000, -2);
    expect(readings[0]).toMatchObject({ device: config.node, sensor: "climate", measurement: "temperature", unit: "°C" });
    o.end();
    r.node.client.end();
  });

  it("beyond capacity drops the oldest and reports how many", async () => {
    // 8 in RAM, up to 32 more in Storage; 60 readings (30 steps x 2 measurements).
    const config = board({ mqtt: { host: broker.host, port: broker.port, keepAlive: 60 }, buffer: 8, payload: "json" });
    const o = await observe(broker.host, broker.port);
    const r = rig(config);
    const topic = `sensornode/${config.node}/climate/temperature`;
    let step = 0;
    r.sht.setPhysical({ temperature: temperature(step) });
    r.node.start();
    await until(() => o.on(topic).length === 1, "first reading", r.clock);
    await broker.stop();
    await until(() => !r.node.client.connected(), "the node to notice", r.clock);
    for (let i = 0; i < 30; i++) {
      r.sht.setPhysical({ temperature: temperature(++step) });
      await advance(r.clock, 10_000, 1000);
    }
    expect(r.storage.files[SPILL_FILE]).toBeDefined();
    const before = JSON.parse(r.node.diag());
    expect(before.buffer + before.dropped).toBe(60);
    expect(before.dropped).toBe(24);

    const subacks = o.subacks();
    await broker.restart();
    await until(() => o.subacks() > subacks, "observer back");
    await until(() => JSON.parse(r.node.diag()).buffer === 0 && r.node.client.pending() === 0, "the backlog", r.clock, 20);
    const values = o.on(topic).map((m) => JSON.parse(m.payload).value);
    // The newest 18 temperatures (36 readings) survived, in order; the 12 oldest went.
    expect(values).toEqual([temperature(0)].concat(Array.from({ length: 18 }, (_, i) => temperature(13 + i))));
    expect(r.storage.files[SPILL_FILE]).toBeUndefined();
    expect(JSON.parse(r.node.diag()).dropped).toBe(24);
    o.end();
    r.node.client.end();
  });
  it("queues input edges while MQTT is down: delivered in order among the readings, and the retained state is the current one", async () => {
    const config = board({
      mqtt: { host: broker.host, port: broker.port, keepAlive: 60 },
      payload: "json",
      inputs: [
        { name: "door", pin: "D5", kind: "door", pull: "up", debounce: 50 },
        { name: "bell", pin: "D6", kind: "button", pull: "up", invert: true, debounce: 30, longPress: 2000 },
      ],
    });
    const base = `sensornode/${config.node}`;
    const o = await observe(broker.host, broker.port, `${base}/#`);
    const r = rig(config);
    let step = 0;
    r.sht.setPhysical({ temperature: temperature(step) });
    r.node.start();
    await until(() => o.on(`${base}/climate/temperature`).length === 1 && o.on(`${base}/door/state`).length === 1, "first reading and states", r.clock);
    await broker.stop();
    await until(() => !r.node.client.connected(), "the node to notice", r.clock);

    // Offline: a reading every 10 s, the door closes, opens and closes again between them,
    // the bell is held past its long press.
    const reading = async () => {
      r.sht.setPhysical({ temperature: temperature(++step) });
      await advance(r.clock, 10_000, 500);
    };
    await reading();
    r.pins.D5!.edge(false, r.clock.now());
    await reading();
    r.pins.D5!.edge(true, r.clock.now());
    await reading();
    r.pins.D6!.edge(false, r.clock.now());
    await advance(r.clock, 2_500, 100);
    r.pins.D6!.edge(true, r.clock.now());
    r.pins.D5!.edge(false, r.clock.now());
    await reading();
    expect(JSON.parse(r.node.diag()).buffer).toBeGreaterThanOrEqual(4 * 2 + 6);

    const subacks = o.subacks();
    await broker.restart();
    await until(() => o.subacks() > subacks, "observer back");
    await until(() => o.on(`${base}/climate/temperature`).length >= 5 && JSON.parse(r.node.diag()).buffer === 0 && r.node.client.pending() === 0, "the backlog", r.clock, 20);

    // What arrived, in order: temperatures by value, the inputs by topic and payload.
    const stream = o.messages
      .filter((m) => /\/(climate\/temperature|door\/state|bell\/state|bell\/long)$/.test(m.topic))
      .map((m) => (m.topic.endsWith("temperature") ? String(JSON.parse(m.payload).value) : `${m.topic.slice(base.length + 1)} ${m.payload}`));
    const after = stream.slice(stream.indexOf(String(temperature(0))) + 1);
    expect(after.slice(0, after.indexOf(String(temperature(4))) + 1)).toEqual([
      String(temperature(1)),
      "door/state OFF",
      String(temperature(2)),
      "door/state ON",
      String(temperature(3)),
      "bell/state ON",
      "bell/long ON",
      "bell/state OFF",
      "door/state OFF",
      String(temperature(4)),
    ]);
    // After the backlog, each input's current state again (it joins the back of the queue at CONNACK).
    expect(o.on(`${base}/door/state`).map((m) => m.payload)).toEqual(["ON", "OFF", "ON", "OFF", "OFF"]);
    expect(o.on(`${base}/bell/state`).map((m) => m.payload)).toEqual(["OFF", "ON", "OFF", "OFF"]);
    expect(await retained(broker.host, broker.port, `${base}/door/state`)).toBe("OFF");
    expect(await retained(broker.host, broker.port, `${base}/bell/state`)).toBe("OFF");
    // The long press is an event, not a state: never retained.
    expect(await retained(broker.host, broker.port, `${base}/bell/long`)).toBeUndefined();
    o.end();
    r.node.client.end();
  });
});
