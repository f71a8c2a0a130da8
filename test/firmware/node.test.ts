// The node against a real Mosquitto: boot sequence, readings, status, commands, discovery.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startMosquitto, type Mosquitto } from "../support/mosquitto";
import { advance, board, observe, retained, rig, until, type Observer, type Rig } from "./harness";

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
    await until(() => o.on(`${base}/air/pressure`).length > 0, "first readings", r.clock);
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
