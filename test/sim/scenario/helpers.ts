// Runs the real greenhouse firmware on a virtual board with a scenario, in --virtual time
// against the embedded broker, and hands back every event and the expectations' results.
import path from "node:path";
import { ScenarioRun, type ExpectationResult } from "../../../sim/faults";
import { Simulation, type SimEvent } from "../../../sim/cli";
import { buildFleet, type NodeBundle } from "../../../sim/fleet-build";
import { type Scenario } from "../../../sim/scenario";
import { ROOT } from "../../../tools/build";

export const GREENHOUSE = path.join(ROOT, "boards", "greenhouse.json");

let cached: Promise<NodeBundle[]> | undefined;
/** The greenhouse board built once per test file. */
export function greenhouse(): Promise<NodeBundle[]> {
  cached ??= buildFleet([GREENHOUSE]);
  return cached;
}

export interface Outcome {
  events: SimEvent[];
  results: ExpectationResult[];
  simulation: Simulation;
  /** MQTT messages on a topic as [time, payload], before the stop. */
  messages(topic: string): [number, string][];
}

/** `at`: callbacks run on the simulation clock at these virtual times (to look inside a board mid-run). */
export async function runScenario(
  bundles: NodeBundle[],
  scenario: Partial<Scenario>,
  options: { duration: number; seed?: number; at?: Record<number, (simulation: Simulation) => void> },
): Promise<Outcome> {
  const simulation = new Simulation(bundles, { virtual: true, duration: options.duration, seed: options.seed ?? 1 });
  const run = new ScenarioRun(simulation, { faults: [], expect: [], ...scenario }, { seed: options.seed ?? 1 });
  const events: SimEvent[] = [];
  simulation.onEvent((event) => {
    events.push(event);
    if (event.type === "sim" && event.what === "started")
      for (const [time, fn] of Object.entries(options.at ?? {})) simulation.clock.setTimeout(() => fn(simulation), Number(time));
  });
  await simulation.start();
  await simulation.stop();
  const stop = events.findIndex((e) => e.type === "sim" && e.what === "stopping");
  return {
    events,
    results: run.results(),
    simulation,
    messages: (topic) => events.slice(0, stop).filter((e) => e.type === "mqtt" && e.topic === topic).map((e) => [e.time, String(e.payload)]),
  };
}
