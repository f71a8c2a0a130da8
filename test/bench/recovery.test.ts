// The recovery benchmark (bench/recovery.ts) counts lost and duplicated readings from the
// firmware's JSON `seq`. These tests check the two things that count rests on: the counting
// itself, and that the real bundle of the bench's board really numbers its readings one by
// one (otherwise every gap the bench reports would be meaningless).
import mqtt from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import path from "node:path";
import net from "node:net";
import { BOARD, countReadings, Gate } from "../../bench/recovery";
import { Simulation } from "../../sim/cli";
import { buildFleet } from "../../sim/fleet-build";
import { ROOT } from "../../tools/build";
import { startMosquitto, type Mosquitto } from "../support/mosquitto";

describe("countReadings", () => {
  it("counts nothing lost in an unbroken run, wherever it starts", () => {
    expect(countReadings([7, 8, 9, 10])).toEqual({ distinct: 4, lost: 0, duplicated: 0, missing: [] });
  });

  it("counts each missing seq between the first and the last as lost", () => {
    expect(countReadings([1, 2, 5, 6, 8])).toEqual({ distinct: 5, lost: 3, duplicated: 0, missing: [3, 4, 7] });
  });

  it("counts a seq delivered again as duplicated, not as a new reading", () => {
    expect(countReadings([1, 2, 2, 3, 3, 3])).toEqual({ distinct: 3, lost: 0, duplicated: 3, missing: [] });
  });

  it("lets a reading resent late fill its gap", () => {
    expect(countReadings([1, 2, 4, 5, 3])).toEqual({ distinct: 5, lost: 0, duplicated: 0, missing: [] });
  });

  it("counts nothing for a publisher never heard from", () => {
    expect(countReadings([])).toEqual({ distinct: 0, lost: 0, duplicated: 0, missing: [] });
  });
});

describe(`the bench's board (${BOARD}) on the real bundle`, () => {
  let broker: Mosquitto;
  beforeAll(async () => {
    broker = await startMosquitto();
  });
  afterAll(async () => {
    await broker.close();
  });

  it("publishes JSON readings whose seq goes up by one per reading, per node", async () => {
    const bundles = await buildFleet([path.join(ROOT, BOARD)], { nodes: 2 });
    const seqs = new Map<string, number[]>(bundles.map((b) => [b.id, []]));
    const subscriber = mqtt.connect(`mqtt://${broker.host}:${broker.port}`, { reconnectPeriod: 0 });
    const enough = new Promise<void>((resolve) => {
      subscriber.on("message", (topic, payload) => {
        const reading = JSON.parse(payload.toString()) as { device: string; seq: number; value: number; unit: string };
        expect(topic).toBe(`sensornode/${reading.device}/light/illuminance`);
        expect(reading.unit).toBe("lx");
        seqs.get(reading.device)!.push(reading.seq);
        if ([...seqs.values()].every((list) => list.length >= 4)) resolve();
      });
    });
    await new Promise<void>((resolve, reject) => {
      subscriber.on("connect", () => subscriber.subscribe("sensornode/+/light/illuminance", { qos: 1 }, (error) => (error ? reject(error) : resolve())));
    });
    const simulation = new Simulation(bundles, { broker: `mqtt://${broker.host}:${broker.port}` });
    const running = simulation.start();
    try {
      await enough;
    } finally {
      await simulation.stop(1000);
      await running;
      await new Promise<void>((resolve) => subscriber.end(true, {}, () => resolve()));
    }
    for (const list of seqs.values()) {
      const first = list.slice(0, 4);
      expect(first).toEqual([first[0]!, first[0]! + 1, first[0]! + 2, first[0]! + 3]);
      expect(countReadings(list)).toMatchObject({ lost: 0, duplicated: 0 });
    }
  });
});

describe("the gate the publishers reach Mosquitto through", () => {
  let broker: Mosquitto;
  let gate: Gate;
  beforeAll(async () => {
    broker = await startMosquitto();
    gate = await Gate.start(broker);
  });
  afterAll(async () => {
    gate.destroy();
    await broker.close();
  });

  const refused = (port: number) =>
    new Promise<boolean>((resolve) => {
      const socket = net.connect({ host: broker.host, port });
      socket.once("connect", () => {
        socket.destroy();
        resolve(false);
      });
      socket.once("error", () => resolve(true));
    });

  it("relays MQTT, refuses new connections once closed while open ones go on, and drops them with the broker", async () => {
    const client = mqtt.connect(gate.url, { reconnectPeriod: 0, clientId: "gate-test" });
    await new Promise<void>((resolve, reject) => {
      client.once("connect", () => resolve());
      client.once("error", reject);
    });
    const echo = (payload: string) =>
      new Promise<string>((resolve) => {
        client.once("message", (_topic, message) => resolve(message.toString()));
        client.publish("gate/test", payload, { qos: 1 });
      });
    await new Promise<void>((resolve, reject) => client.subscribe("gate/test", { qos: 1 }, (error) => (error ? reject(error) : resolve())));
    expect(await echo("through the gate")).toBe("through the gate");

    gate.close();
    expect(await refused(gate.port)).toBe(true);
    expect(await echo("still relayed")).toBe("still relayed");

    const dropped = new Promise<void>((resolve) => client.once("close", () => resolve()));
    await broker.kill();
    await dropped;
    await broker.restart();
    expect(await refused(gate.port)).toBe(true);
    await gate.open();
    expect(await refused(gate.port)).toBe(false);
    client.end(true);
  });
});
