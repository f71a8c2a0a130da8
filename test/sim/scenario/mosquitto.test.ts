// `sim --mosquitto`: the simulator starts a real Mosquitto as the broker, and broker-restart
// restarts that process; the real greenhouse firmware notices, reconnects and publishes
// `online` again (Mosquitto runs without persistence, so the retained one is gone).
import net from "node:net";
import { beforeAll, describe, expect, it } from "vitest";
import { Simulation, type SimEvent } from "../../../sim/cli";
import { ScenarioRun } from "../../../sim/faults";
import type { NodeBundle } from "../../../sim/fleet-build";
import { greenhouse } from "./helpers";

const STATUS = "sensornode/greenhouse/status";

let bundles: NodeBundle[];
beforeAll(async () => {
  bundles = await greenhouse();
});

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

describe("--mosquitto", () => {
  it("runs the nodes against a Mosquitto it started; broker-restart restarts that process and the node comes back online; stop removes it", async () => {
    const simulation = new Simulation(bundles, { speed: 10, duration: 90_000, seed: 5, mosquitto: true });
    new ScenarioRun(simulation, { faults: [{ source: "test", at: 30_000, fault: "broker-restart" }], expect: [] }, { seed: 5 });
    const events: SimEvent[] = [];
    simulation.onEvent((event) => {
      events.push(event);
    });
    await simulation.start();
    const port = simulation.mosquitto!.port;
    await simulation.stop();
    expect(events.find((e) => e.what === "broker")).toMatchObject({ mosquitto: true, embedded: false, url: `mqtt://127.0.0.1:${port}` });
    expect(events.filter((e) => e.what === "fault").map((e) => `${String(e.fault)} ${String(e.phase)}`)).toEqual(["broker-restart begin", "broker-restart end"]);
    const online = events.filter((e) => e.type === "mqtt" && e.topic === STATUS && e.payload === "online");
    // once before the restart, once after (seen by the simulator's own subscriber, which reconnects too)
    expect(online.filter((e) => e.time < 30_000).length).toBe(1);
    expect(online.filter((e) => e.time >= 30_000).length).toBeGreaterThanOrEqual(1);
    // readings flow after the restart
    expect(events.some((e) => e.type === "mqtt" && e.topic === "sensornode/greenhouse/air/temperature" && e.time > 45_000)).toBe(true);
    // the broker went away with the simulation
    expect(await accepts(port)).toBe(false);
  });
});
