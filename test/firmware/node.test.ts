// The node against a real Mosquitto: boot sequence, readings, status, commands, discovery.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startMosquitto, type Mosquitto } from "../support/mosquitto";
import { advance, board, memoryStorage, observe, retained, rig, until, type Observer, type Rig } from "./harness";

let broker: Mosquitto;
let observers: Observer[] = [];
let rigs: Rig[] = [];

beforeAll(async () => {
  broker = await startMosquitto();
});
afterAll(async () => {
  await broker.close();
});
afterEach(() => {
  for (const o of observers) o.end();
  for (const r of rigs) r.node.client.end();
  observers = [];
  rigs = [];
});

async function watch(filter = "#"): Promise<Observer> {
  const o = await observe(broker.host, broker.port, filter);
  observers.push(o);
  return o;
}

function start(r: Rig): Rig {
  rigs.push(r);
  r.node.start();
  return r;
}

describe("boot", () => {
  it("connects with the will, says online (retained), announces, publishes readings and diag", async () => {
    const config = board({
      mqtt: { host: broker.host, port: broker.port, keepAlive: 60 },
      sensors: [
        { name: "climate", type: "sht3x", bus: "i2c0", address: 0x44, interval: 10000 },
        { name: "air", type: "bme280", bus: "i2c0", address: 0x76, interval: 10000 },
      ],
      inputs: [{ name: "door", pin: "D5", kind: "door", pull: "up", debounce: 50 }],
      outputs: [{ name: "fan", pin: "D18", initial: false }],
    });
    const o = await watch();
    const r = start(rig(config));
    const base = `sensornode/${config.node}`;
    r.sht.setPhysical({ temperature: 21.44, humidity: 48.2 });
    await until(() => o.on(`${base}/air/pressure`).length > 0 && o.on(`${base}/climate/humidity`).length > 0, "first readings", r.clock);
    await until(() => o.messages.filter((m) => m.topic.startsWith("homeassistant/")).length === r.plan.discovery.length, "discovery", r.clock);
    expect(o.on(`${base}/status`)[0]).toEqual({ topic: `${base}/status`, payload: "online", retain: false });
    expect(await retained(broker.host, broker.port, `${base}/status`)).toBe("online");
    expect(o.on(`${base}/climate/temperature`)[0]!.payload).toBe("21.4");
    expect(o.on(`${base}/climate/humidity`)[0]!.payload).toBe("48.2");
    expect(o.on(`${base}/air/pressure`)[0]!.payload).toBe("1013.3");
    expect(o.on(`${base}/fan/state`)[0]!.payload).toBe("OFF");
    expect(o.on(`${base}/door/state`)[0]!.payload).toBe("ON");
    const diag = JSON.parse(o.on(`${base}/diag`)[0]!.payload);
    expect(diag).toMatchObject({ reset: "power on", free: 1234, reconnects: 0, buffer: 0, dropped: 0, version: "0.1.0-test", config: "cafe12345678" });
    // The next reading comes an interval later, not before.
    const count = o.on(`${base}/climate/temperature`).length;
    await advance(r.clock, 9000);
    expect(o.on(`${base}/climate/temperature`).length).toBe(count);
    await advance(r.clock, 1100);
    await until(() => o.on(`${base}/climate/temperature`).length === count + 1, "second reading", r.clock);
  });
});

describe("status", () => {
  it("a destroyed socket leaves retained offline (the will); reconnecting sets online again", async () => {
    const config = board({ mqtt: { host: broker.host, port: broker.port, keepAlive: 60 } });
    const r = start(rig(config));
    const status = `sensornode/${config.node}/status`;
    await until(() => r.node.client.connected(), "CONNACK", r.clock);
    expect(await retained(broker.host, broker.port, status)).toBe("online");
    const o = await watch(status);
    // The network dies under the node: no DISCONNECT, so the broker publishes the will.
    r.transport.connections[r.transport.connections.length - 1]!.destroy();
    await until(() => o.messages.some((m) => m.payload === "offline"), "the will");
    expect(await retained(broker.host, broker.port, status)).toBe("offline");
    // The node's backoff runs on virtual time: moving it on brings the node back.
    await until(() => o.messages.some((m, i) => m.payload === "online" && i > o.messages.findIndex((x) => x.payload === "offline")), "online again", r.clock, 50);
    expect(await retained(broker.host, broker.port, status)).toBe("online");
    expect(JSON.parse(r.node.diag())).toMatchObject({ reconnects: 1 });
  });

  it("a clean shutdown publishes offline (retained) before DISCONNECT; a restart sets online again", async () => {
    const config = board({ mqtt: { host: broker.host, port: broker.port, keepAlive: 60 } });
    const storage = memoryStorage();
    const r = start(rig(config, { storage }));
    const status = `sensornode/${config.node}/status`;
    await until(() => r.node.client.connected(), "CONNACK", r.clock);
    const o = await watch(status);
    r.node.stop();
    await until(() => o.messages.some((m) => m.payload === "offline"), "offline");
    await broker.waitForLog(new RegExp(`Client sensornode-${config.node}-\\w+ disconnected`));
    expect(await retained(broker.host, broker.port, status)).toBe("offline");
    // Only one offline: the will was discarded by the DISCONNECT, not published as well.
    expect(o.messages.filter((m) => m.payload === "offline")).toHaveLength(1);

    const again = start(rig(config, { storage }));
    await until(() => again.node.client.connected(), "CONNACK", again.clock);
    await until(() => o.messages.some((m) => m.payload === "online"), "online");
    expect(await retained(broker.host, broker.port, status)).toBe("online");
  });
});

describe("sensors", () => {
  it("a NACK storm on one sensor does not stop the other; errors are counted and it recovers", async () => {
    const config = board({
      mqtt: { host: broker.host, port: broker.port, keepAlive: 60 },
      sensors: [
        { name: "climate", type: "sht3x", bus: "i2c0", address: 0x44, interval: 10000 },
        { name: "air", type: "bme280", bus: "i2c0", address: 0x76, interval: 10000 },
      ],
    });
    const o = await watch();
    const r = start(rig(config));
    const base = `sensornode/${config.node}`;
    await until(() => o.on(`${base}/climate/temperature`).length === 1 && o.on(`${base}/air/temperature`).length === 1, "first readings", r.clock);
    r.sim.inject("nack", 0x44);
    await advance(r.clock, 120_000, 100);
    const storm = JSON.parse(r.node.diag());
    expect(storm.sensors.climate.errors).toBeGreaterThanOrEqual(5);
    expect(storm.sensors.climate.error).toMatch(/^nack/);
    expect(storm.sensors.air).toBeUndefined();
    // The other sensor kept its 10 s rhythm; the failing one published nothing, and never NaN.
    expect(o.on(`${base}/air/temperature`).length).toBeGreaterThanOrEqual(12);
    expect(o.on(`${base}/climate/temperature`)).toHaveLength(1);
    expect(o.messages.some((m) => /nan|infinity/i.test(m.payload) && !m.topic.startsWith("homeassistant/"))).toBe(false);
    r.sim.clear("nack", 0x44);
    // Backoff is capped at 5 min for a 10 s sensor: it is back within that.
    await until(() => o.on(`${base}/climate/temperature`).length > 1, "recovery", r.clock, 100);
  });

  it("a sensor missing at boot is marked failed and reported; the node keeps running", async () => {
    const config = board({
      mqtt: { host: broker.host, port: broker.port, keepAlive: 60 },
      sensors: [
        { name: "gone", type: "sht3x", bus: "i2c0", address: 0x45, interval: 10000 },
        { name: "air", type: "bme280", bus: "i2c0", address: 0x76, interval: 10000 },
      ],
    });
    const o = await watch();
    const r = start(rig(config));
    const base = `sensornode/${config.node}`;
    await until(() => o.on(`${base}/air/temperature`).length >= 2, "readings of the working sensor", r.clock, 50);
    const diag = JSON.parse(r.node.diag());
    expect(diag.sensors.gone).toMatchObject({ failed: true });
    expect(diag.sensors.gone.errors).toBeGreaterThanOrEqual(1);
    expect(o.on(`${base}/gone/temperature`)).toHaveLength(0);
  });
});

describe("commands", () => {
  it("switches outputs, changes intervals, answers diag and identify, and reports bad payloads in diag", async () => {
    const config = board({
      mqtt: { host: broker.host, port: broker.port, keepAlive: 60 },
      outputs: [{ name: "fan", pin: "D18", initial: false }, { name: "led", pin: "D2", initial: false, invert: true }],
    });
    const o = await watch();
    const r = start(rig(config));
    const base = `sensornode/${config.node}`;
    await until(() => o.on(`${base}/fan/state`).length === 1 && o.on(`${base}/climate/temperature`).length === 1, "boot", r.clock);
    const send = (topic: string, payload: string, retain = false) => o.client.publish(topic, payload, 1, retain);
    const diags = () => o.on(`${base}/diag`).map((m) => JSON.parse(m.payload));

    send(`${base}/fan/set`, "ON");
    await until(() => o.on(`${base}/fan/state`).length === 2, "fan echo", r.clock);
    expect(o.on(`${base}/fan/state`)[1]!.payload).toBe("ON");
    expect(r.pins.D18!.level).toBe(true);
    expect(await retained(broker.host, broker.port, `${base}/fan/state`)).toBe("ON");
    send(`${base}/fan/set`, "TOGGLE");
    await until(() => o.on(`${base}/fan/state`).length === 3, "toggle", r.clock);
    expect(r.pins.D18!.level).toBe(false);

    // Bad payloads: each answered in diag, the node carries on.
    const bad = ["maybe"];
    send(`${base}/fan/set`, bad[0]!);
    send(`${base}/cmd`, "{not json");
    send(`${base}/cmd`, "explode");
    send(`${base}/cmd`, "interval 5");
    send(`${base}/cmd`, JSON.stringify({ cmd: "interval", sensor: "nope", value: 5000 }));
    send(`${base}/cmd`, "\u00ff\u0000");
    await until(() => diags().filter((d) => d.error).length === 6, "six diag errors", r.clock);
    expect(diags().filter((d) => d.error).map((d) => d.error)).toEqual([
      "output fan: payload must be ON, OFF or TOGGLE",
      "command is not valid JSON",
      expect.stringMatching(/^unknown command/),
      "interval needs whole milliseconds, 100 to 86400000",
      "no sensor named nope",
      expect.stringMatching(/^unknown command/),
    ]);

    // interval: readings every 2 s from now on.
    send(`${base}/cmd`, "interval climate 2000");
    await advance(r.clock, 200, 5);
    const before = o.on(`${base}/climate/temperature`).length;
    await advance(r.clock, 10_100, 20);
    await until(() => o.on(`${base}/climate/temperature`).length >= before + 5, "faster readings", r.clock);

    send(`${base}/cmd`, JSON.stringify({ cmd: "diag" }));
    const count = diags().length;
    await until(() => diags().length === count + 1, "diag on request", r.clock);
    expect(diags()[count]).toMatchObject({ reconnects: 0, version: "0.1.0-test" });

    send(`${base}/cmd`, "identify");
    await until(() => diags().some((d) => d.identify === true), "identify", r.clock);
    // The LED (active low) blinks and ends where it started.
    await advance(r.clock, 3000, 50);
    expect(r.pins.D2!.level).toBe(true);

    send(`${base}/cmd`, "reboot");
    await until(() => r.system.reboots === 1, "reboot", r.clock);
    await until(() => o.on(`${base}/status`).some((m) => m.payload === "offline"), "offline before reboot");

    // A retained reboot would be a boot loop: a node that finds one at subscribe ignores it.
    send(`${base}/cmd`, "reboot", true);
    const next = start(rig(config));
    await until(() => next.node.client.connected(), "CONNACK", next.clock);
    await advance(next.clock, 1000, 10);
    expect(next.system.reboots).toBe(0);
    send(`${base}/cmd`, "", true);
  });
});

describe("interval command", () => {
  it("is saved: a reboot and a deep-sleep wake keep it, a bad value is refused in diag and not saved, a new board config starts again", async () => {
    const storage = memoryStorage();
    const config = board({
      mqtt: { host: broker.host, port: broker.port, keepAlive: 60 },
      sensors: [
        { name: "climate", type: "sht3x", bus: "i2c0", address: 0x44, interval: 10000 },
        { name: "air", type: "bme280", bus: "i2c0", address: 0x76, interval: 10000 },
      ],
    });
    const base = `sensornode/${config.node}`;
    const o = await watch(`${base}/#`);
    const send = (payload: string) => o.client.publish(`${base}/cmd`, payload, 1, false);
    const errors = () => o.on(`${base}/diag`).map((m) => JSON.parse(m.payload).error).filter(Boolean);
    const first = start(rig(config, { storage }));
    await until(() => o.on(`${base}/air/temperature`).length === 1 && o.on(`${base}/climate/temperature`).length === 1, "first readings", first.clock);
    send("interval climate 2000");
    await until(() => storage.files["sn-interval"] !== undefined, "the interval saved", first.clock);
    const saved = storage.files["sn-interval"];
    send("interval climate 50");
    send('{"cmd":"interval","sensor":"climate","value":-1}');
    await until(() => errors().length === 2, "two diag errors", first.clock);
    expect(errors()).toEqual(["interval needs whole milliseconds, 100 to 86400000", "interval needs whole milliseconds, 100 to 86400000"]);
    expect(storage.files["sn-interval"]).toBe(saved);
    first.node.stop();

    /** Readings of each sensor in 21 s of a fresh boot on `storage`. */
    const boot = async (options: Parameters<typeof rig>[1], configured = config) => {
      const r = start(rig(configured, { storage, ...options }));
      await until(() => r.node.client.connected(), "CONNACK", r.clock);
      const from = o.messages.length;
      await advance(r.clock, 21_000, 20);
      await until(() => r.node.client.pending() === 0 && JSON.parse(r.node.diag()).buffer === 0, "readings acknowledged", r.clock, 0);
      // Every message this boot published has reached the observer once a marker sent after them has.
      o.client.publish(`${base}/marker`, String(from), 1, false);
      await until(() => o.on(`${base}/marker`).some((m) => m.payload === String(from)), "marker");
      const since = o.messages.slice(from);
      const count = (topic: string) => since.filter((m) => m.topic === `${base}/${topic}`).length;
      r.node.stop();
      return { climate: count("climate/temperature"), air: count("air/temperature") };
    };

    // A reboot: climate every 2 s (about 11 in 21 s), air still every 10 s (about 3).
    const rebooted = await boot({});
    expect(rebooted.climate).toBeGreaterThanOrEqual(9);
    expect(rebooted.air).toBeLessThanOrEqual(4);

    // A deep-sleep wake of a battery node held awake by a retained stay-awake: same intervals.
    o.client.publish(`${base}/cmd`, "stay-awake", 1, true);
    const woken = await boot({}, { ...config, sleep: { interval: 60_000, awake: 5_000 } });
    o.client.publish(`${base}/cmd`, "", 1, true);
    expect(woken.climate).toBeGreaterThanOrEqual(9);
    expect(woken.air).toBeLessThanOrEqual(4);

    // A new board file (another config hash): back to the file's 10 s.
    const reflashed = await boot({ configHash: "beef87654321" });
    expect(reflashed.climate).toBeLessThanOrEqual(4);
    expect(reflashed.air).toBeLessThanOrEqual(4);
  });
});

describe("discovery", () => {
  it("announces every entity retained, and deletes the entities of a removed sensor on the next boot", async () => {
    const storage = memoryStorage();
    const two = board({
      mqtt: { host: broker.host, port: broker.port, keepAlive: 60 },
      sensors: [
        { name: "climate", type: "sht3x", bus: "i2c0", address: 0x44, interval: 10000 },
        { name: "air", type: "bme280", bus: "i2c0", address: 0x76, interval: 10000 },
      ],
      outputs: [{ name: "fan", pin: "D18" }],
    });
    const o = await watch(`homeassistant/+/${two.node}/#`);
    const first = start(rig(two, { storage }));
    await until(() => o.messages.length === 6, "six configs", first.clock);
    const configs = o.messages.map((m) => ({ topic: m.topic, config: JSON.parse(m.payload) }));
    const node = two.node.replace(/-/g, "_");
    expect(configs.map((c) => c.topic).sort()).toEqual(
      [
        `homeassistant/sensor/${two.node}/climate_temperature/config`,
        `homeassistant/sensor/${two.node}/climate_humidity/config`,
        `homeassistant/sensor/${two.node}/air_temperature/config`,
        `homeassistant/sensor/${two.node}/air_humidity/config`,
        `homeassistant/sensor/${two.node}/air_pressure/config`,
        `homeassistant/switch/${two.node}/fan/config`,
      ].sort(),
    );
    const temperature = configs.find((c) => c.topic.endsWith("climate_temperature/config"))!.config;
    expect(temperature).toMatchObject({
      uniq_id: `sensornode_${node}_climate_temperature`,
      stat_t: `sensornode/${two.node}/climate/temperature`,
      avty_t: `sensornode/${two.node}/status`,
      dev_cla: "temperature",
      stat_cla: "measurement",
      unit_of_meas: "°C",
      dev: { ids: [`sensornode_${two.node}`] },
    });
    const fan = configs.find((c) => c.topic.includes("/switch/"))!.config;
    expect(fan).toMatchObject({ cmd_t: `sensornode/${two.node}/fan/set`, stat_t: `sensornode/${two.node}/fan/state` });
    expect(await retained(broker.host, broker.port, `homeassistant/sensor/${two.node}/air_pressure/config`)).toBeDefined();

    // Home Assistant restarts: everything is announced again.
    o.client.publish("homeassistant/status", "online", 0, false);
    await until(() => o.messages.length === 12, "re-announced", first.clock);

    first.node.stop();
    o.messages.length = 0;
    // Next boot without the BME280: its three entities get an empty retained config.
    const one = { ...two, sensors: [two.sensors![0]!] };
    const second = start(rig(one, { storage }));
    await until(() => o.messages.filter((m) => m.payload === "").length === 3, "deletions", second.clock);
    expect(o.messages.filter((m) => m.payload === "").map((m) => m.topic).sort()).toEqual(
      ["air_humidity", "air_pressure", "air_temperature"].map((x) => `homeassistant/sensor/${two.node}/${x}/config`),
    );
    expect(await retained(broker.host, broker.port, `homeassistant/sensor/${two.node}/air_pressure/config`)).toBeUndefined();
    expect(await retained(broker.host, broker.port, `homeassistant/sensor/${two.node}/climate_temperature/config`)).toBeDefined();
  });
});
