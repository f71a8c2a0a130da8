// The live view's folding of events into rows, and the demo fleet's one summary line: a
// fleet's nodes are added up (statuses, messages, errors) and their latest readings shown as
// ranges, while the example boards keep their own rows and printed lines; and the overrun line.
import { describe, expect, it } from "vitest";
import type { BoardConfig } from "../../../boards/schema";
import type { SimEvent } from "../../../sim/cli";
import { FleetState, groupSummary, renderFrame, type Header } from "../../../sim/live-view";

const config = (node: string, board = "ESP32") => ({ node, board, mqtt: { host: "x" } }) as unknown as BoardConfig;
const mqtt = (topic: string, payload: string, time = 1000): SimEvent => ({ type: "mqtt", topic, payload, time, client: "c" });
const header: Header = { broker: "mqtt://127.0.0.1:1883", subscribe: "mosquitto_sub ...", mode: "real time", seed: 1 };

function fleet(): FleetState {
  const fleetName = "demo fleet (2 indoor, 1 outdoor)";
  const state = new FleetState([config("greenhouse"), config("demo-001"), config("demo-002"), config("demo-003")], { "demo-001": fleetName, "demo-002": fleetName, "demo-003": fleetName });
  state.apply(mqtt("sensornode/greenhouse/status", "online"));
  state.apply(mqtt("sensornode/greenhouse/air/temperature", "18.5"));
  state.apply(mqtt("sensornode/demo-001/status", "online"));
  state.apply(mqtt("sensornode/demo-002/status", "online"));
  state.apply(mqtt("sensornode/demo-001/climate/temperature", "21.5"));
  state.apply(mqtt("sensornode/demo-002/climate/temperature", "4.25"));
  state.apply(mqtt("sensornode/demo-003/climate/temperature", "12"));
  state.apply(mqtt("sensornode/demo-001/motion/state", "ON"));
  state.apply(mqtt("sensornode/demo-002/motion/state", "OFF"));
  state.apply(mqtt("sensornode/demo-001/light/illuminance", "0"));
  return state;
}

describe("the demo fleet in the live view", () => {
  it("one summary line: statuses counted, messages added up, ranges of the latest readings, inputs on/total", () => {
    const state = fleet();
    const { rows, groups } = state.layout();
    expect(rows.map((r) => r.id)).toEqual(["greenhouse"]);
    expect(groups).toHaveLength(1);
    expect(groupSummary(groups[0]![0], groups[0]![1])).toBe(
      "demo fleet (2 indoor, 1 outdoor): 3 nodes (2 online, 1 starting), 8 messages, 0 reconnects, buffered 0, errors 0; temperature 4.25..21.5, motion ON 1/2, illuminance 0",
    );
  });

  it("the frame: example boards as rows, the fleet as one line; a fleet node's printed lines stay out of the recent lines", () => {
    const state = fleet();
    expect(state.apply({ type: "log", node: "demo-002", text: "sensor climate: sht3x", time: 5 })).toBeUndefined();
    expect(state.apply({ type: "log", node: "greenhouse", text: "sensor air: bme280", time: 5 })).toBe("greenhouse | sensor air: bme280");
    const frame = renderFrame(header, state, 200, 40).split("\n");
    expect(frame.filter((l) => /^greenhouse +ESP32 +online/.test(l))).toHaveLength(1);
    expect(frame.some((l) => l.startsWith("demo-00"))).toBe(false);
    expect(frame.filter((l) => l.startsWith("demo fleet (2 indoor, 1 outdoor): 3 nodes"))).toHaveLength(1);
    expect(frame.slice(frame.indexOf("last lines printed by the nodes:") + 1)).toEqual(["greenhouse | sensor air: bme280"]);
  });

  it("the world's events on an example board's inputs are lines of their own; a fleet's are not", () => {
    const state = fleet();
    expect(state.apply({ type: "world", node: "greenhouse", input: "door", kind: "door", what: "open", duration: 12_345, time: 9 })).toBe("greenhouse ~ door: open for 12.3 s");
    expect(state.apply({ type: "world", node: "demo-001", input: "motion", kind: "motion", what: "motion", duration: 8000, time: 9 })).toBeUndefined();
    expect(state.recent).toEqual(["greenhouse ~ door: open for 12.3 s"]);
  });

  it("without a fleet there is no summary line", () => {
    const state = new FleetState([config("greenhouse")]);
    state.apply(mqtt("sensornode/greenhouse/status", "online"));
    const frame = renderFrame(header, state, 200, 40);
    expect(frame).not.toMatch(/demo fleet/);
    expect(state.layout().groups).toEqual([]);
  });
});

describe("live view: overrun", () => {
  it("a line while the simulator lags, then the last episode's worst lag and length", () => {
    const state = new FleetState([config("greenhouse")]);
    expect(renderFrame(header, state, 200, 40)).not.toMatch(/overrun/i);
    state.apply({ time: 60_000, type: "sim", what: "overrun", phase: "begin", lag: 412.3 });
    expect(renderFrame(header, state, 200, 40)).toContain("OVERRUN: timers 412 ms late: this machine cannot keep every node's schedule at this speed");
    state.apply({ time: 75_000, type: "sim", what: "overrun", phase: "end", lag: 20, maxLag: 950.2, lagging: 15_000 });
    const frame = renderFrame(header, state, 200, 40);
    expect(frame).not.toContain("OVERRUN:");
    expect(frame).toMatch(/last overrun: up to 950 ms late for \S+/);
  });
});
