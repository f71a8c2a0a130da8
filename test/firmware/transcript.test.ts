// The first minute of boards/door.json against Mosquitto, as a transcript (topic, payload,
// retained as the node published it, from the broker's log). TRANSCRIPT=1 prints it.
import { afterAll, beforeAll, expect, it } from "vitest";
import { loadBoard } from "../../tools/config";
import { startMosquitto, type Mosquitto } from "../support/mosquitto";
import { advance, observe, rig, until } from "./harness";

let broker: Mosquitto;
beforeAll(async () => {
  broker = await startMosquitto();
});
afterAll(async () => {
  await broker.close();
});

it("door.json's first minute: online, discovery, states, readings every 30 s, edges at once, diag", async () => {
  const loaded = loadBoard("boards/door.json", { env: { WIFI_PASSWORD: "secret-wifi" } });
  expect(loaded.ok).toBe(true);
  const config = { ...loaded.config!, mqtt: { ...loaded.config!.mqtt, host: broker.host, port: broker.port } };
  const o = await observe(broker.host, broker.port, "#");
  const r = rig(config);
  r.sht.setPhysical({ temperature: 19.73, humidity: 55.1 });
  const start = r.clock.now();
  r.node.start();
  await advance(r.clock, 20_000, 20);
  r.pins["NodeMCU.D5"]!.edge(false, r.clock.now()); // the door closes (the reed contact pulls the pin low)
  await advance(r.clock, 20_000, 20);
  r.pins["NodeMCU.D6"]!.edge(false, r.clock.now()); // the bell is pressed (inverted) ...
  await advance(r.clock, 2_500, 20); // ... and held past the 2 s long press
  r.pins["NodeMCU.D6"]!.edge(true, r.clock.now());
  await advance(r.clock, 60_000 - (r.clock.now() - start), 20);
  await until(() => r.node.client.pending() === 0, "all acknowledged", r.clock);
  o.client.publish("sensornode/front-door/cmd", "diag", 1, false);
  await until(() => o.on("sensornode/front-door/diag").length === 2, "diag on request", r.clock);

  // The broker's log has the retain flag as the node sent it: "Received PUBLISH from <id> (d0, q1, r1, m2, 'topic', ... (6 bytes))".
  const received = broker
    .log()
    .split("\n")
    .filter((line) => line.startsWith("Received PUBLISH from sensornode-front-door"))
    .map((line) => /\(d\d, q(\d), r(\d), m\d+, '([^']*)'/.exec(line)!)
    .map((m) => ({ topic: m[3]!, qos: Number(m[1]), retain: m[2] === "1" }));
  const payloads = o.messages.filter((m) => m.topic.startsWith("sensornode/front-door/") || m.topic.startsWith("homeassistant/")).filter((m) => !m.topic.endsWith("/cmd"));
  expect(payloads.map((m) => m.topic)).toEqual(received.map((m) => m.topic));
  if (process.env.TRANSCRIPT) {
    const lines = received.map((m, i) => `${m.retain ? "R" : "-"} q${m.qos} ${m.topic}  ${payloads[i]!.payload}`);
    console.log(lines.join("\n"));
  }
  expect(received[0]).toEqual({ topic: "sensornode/front-door/status", qos: 1, retain: true });
  expect(payloads[0]!.payload).toBe("online");
  expect(received.filter((m) => m.topic.startsWith("homeassistant/")).every((m) => m.retain)).toBe(true);
  // Readings at ~1 s and ~31 s; waiting for the acknowledgements and the diag below moves
  // virtual time on, so the ~61 s reading may or may not be in by then.
  const temperatures = payloads.filter((m) => m.topic === "sensornode/front-door/climate/temperature").map((m) => m.payload);
  expect(temperatures.slice(0, 2)).toEqual(["19.7", "19.7"]);
  expect(temperatures.length).toBeLessThanOrEqual(3);
  expect(payloads.filter((m) => m.topic === "sensornode/front-door/door/state").map((m) => m.payload)).toEqual(["ON", "OFF"]);
  expect(payloads.filter((m) => m.topic === "sensornode/front-door/bell/long").map((m) => m.payload)).toEqual(["ON"]);
  o.end();
  r.node.client.end();
});
