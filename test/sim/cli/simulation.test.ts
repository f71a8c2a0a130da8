// Simulation (sim/cli.ts) with a stand-in firmware that speaks MQTT, so these tests do not
// depend on the node application: routing of each board file's broker address to the
// embedded broker, virtual time, clones with their own ids, and the clean stop (offline).
import path from "node:path";
import { describe, expect, it } from "vitest";
import { Simulation, parseBrokerUrl, parseDuration, type SimEvent } from "../../../sim/cli";
import { buildFleet, cloneId } from "../../../sim/fleet-build";

const fixtures = path.join(import.meta.dirname, "fixtures");
const entry = path.join(fixtures, "mqtt-node.ts");
const boards = [path.join(fixtures, "alpha.json"), path.join(fixtures, "beta.json")];

function mqttEvents(events: SimEvent[]): string[] {
  return events.filter((e) => e.type === "mqtt").map((e) => `${String(e.topic)} ${String(e.payload)}`);
}

describe("simulation against the embedded broker", () => {
  it("boards with different broker addresses all reach it; virtual time runs a minute; stop publishes offline", async () => {
    const bundles = await buildFleet(boards, { entry });
    const simulation = new Simulation(bundles, { virtual: true, duration: 60_000, seed: 3 });
    const events: SimEvent[] = [];
    simulation.onEvent((e) => events.push(e));
    await simulation.start();
    expect(simulation.clock.now()).toBe(60_000);
    await simulation.stop();
    const seen = mqttEvents(events);
    for (const node of ["alpha", "beta"]) {
      expect(events.some((e) => e.node === node && e.type === "log" && e.text === `fixture ${node} on ${node === "alpha" ? "ESP32" : "ESP8266"}`)).toBe(true);
      expect(seen).toContain(`sensornode/${node}/status online`);
      // One reading every 10 s of virtual time from the instant the firmware saw CONNACK (its
      // "connected" line: it starts the interval then). Not the broker's receive time: under
      // CPU load a packet can still be in flight when virtual time jumps, so that stamp lags.
      const connected = events.find((e) => e.node === node && e.type === "log" && e.text === `fixture ${node}: connected`)!;
      const counts = seen.filter((s) => s.startsWith(`sensornode/${node}/probe/count `));
      expect(connected.time).toBeGreaterThan(0);
      const due = Math.floor((60_000 - connected.time) / 10_000);
      // the reading due at the very last instant may or may not reach the broker before the stop
      expect(counts.length).toBeGreaterThanOrEqual(due - (connected.time % 10_000 === 0 ? 1 : 0));
      expect(counts.length).toBeLessThanOrEqual(due);
      expect(counts[counts.length - 1]).toBe(`sensornode/${node}/probe/count ${counts.length}`);
      expect(seen[seen.length - 1 - seen.slice().reverse().findIndex((s) => s.startsWith(`sensornode/${node}/status`))]).toBe(`sensornode/${node}/status offline`);
    }
    expect(events.map((e) => e.what).filter(Boolean)).toEqual(["broker", "started", "stopping", "stopped"]);
  });

  it("--nodes clones: templated ids, each clone its own topics and client id", async () => {
    const bundles = await buildFleet([boards[0]!], { entry, nodes: 3 });
    expect(bundles.map((b) => b.id)).toEqual(["alpha-001", "alpha-002", "alpha-003"]);
    expect(new Set(bundles.map((b) => b.configHash)).size).toBe(3);
    const simulation = new Simulation(bundles, { virtual: true, duration: 15_000 });
    const events: SimEvent[] = [];
    simulation.onEvent((e) => events.push(e));
    await simulation.start();
    await simulation.stop();
    const seen = mqttEvents(events);
    for (const id of ["alpha-001", "alpha-002", "alpha-003"]) {
      expect(seen).toContain(`sensornode/${id}/status online`);
      expect(events.some((e) => e.type === "mqtt" && e.client === id)).toBe(true);
    }
  });

  it("a clone's bundle equals a real build of that clone", async () => {
    const [, second] = await buildFleet([boards[0]!], { entry, nodes: 2 });
    // building 2 clones compares the first one only; check another one explicitly
    const fs = await import("node:fs");
    const os = await import("node:os");
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), "sensornode-clone-test-"));
    try {
      const copy = path.join(folder, "alpha.json");
      fs.writeFileSync(copy, JSON.stringify({ ...JSON.parse(fs.readFileSync(boards[0]!, "utf8")), node: "alpha-002" }));
      const [real] = await buildFleet([copy], { entry });
      expect(second!.code).toBe(real!.code);
      expect(second!.configHash).toBe(real!.configHash);
    } finally {
      fs.rmSync(folder, { recursive: true, force: true });
    }
  });
});

describe("argument parsing", () => {
  it("durations and broker URLs, with sentences for mistakes", () => {
    expect(parseDuration("90s")).toBe(90_000);
    expect(parseDuration("1h")).toBe(3_600_000);
    expect(parseDuration("1.5m")).toBe(90_000);
    expect(parseDuration("250")).toBe(250);
    expect(() => parseDuration("soon")).toThrow(/write e\.g\. 90s, 15m, 1h or 2d/);
    expect(parseBrokerUrl("mqtt://10.0.0.2")).toEqual({ host: "10.0.0.2", port: 1883 });
    expect(parseBrokerUrl("mqtt://localhost:1884")).toEqual({ host: "localhost", port: 1884 });
    expect(() => parseBrokerUrl("ws://x")).toThrow(/expected mqtt:\/\/host:port/);
    expect(cloneId("door", 7, 1500)).toBe("door-0007");
  });
});
