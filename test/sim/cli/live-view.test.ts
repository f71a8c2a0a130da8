// The live view shows an overrun while it lasts and the last one after it (sim/live-view.ts).
import { describe, expect, it } from "vitest";
import type { BoardConfig } from "../../../boards/schema";
import { FleetState, renderFrame, type Header } from "../../../sim/live-view";

const header: Header = { broker: "mqtt://127.0.0.1:1883", subscribe: "mosquitto_sub -t '#'", mode: "real time", seed: 1 };
const config = { node: "greenhouse", board: "ESP32", mqtt: { host: "h" } } as unknown as BoardConfig;

describe("live view: overrun", () => {
  it("a line while the simulator lags, then the last episode's worst lag and length", () => {
    const state = new FleetState([config]);
    expect(renderFrame(header, state, 200, 40)).not.toMatch(/overrun/i);
    state.apply({ time: 60_000, type: "sim", what: "overrun", phase: "begin", lag: 412.3 });
    expect(renderFrame(header, state, 200, 40)).toContain("OVERRUN: timers 412 ms late: this machine cannot keep every node's schedule at this speed");
    state.apply({ time: 75_000, type: "sim", what: "overrun", phase: "end", lag: 20, maxLag: 950.2, lagging: 15_000 });
    const frame = renderFrame(header, state, 200, 40);
    expect(frame).not.toContain("OVERRUN:");
    expect(frame).toMatch(/last overrun: up to 950 ms late for \S+/);
  });
});
