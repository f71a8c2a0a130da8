// The demo fleet of `npm start`: N clones of a small board the simulator makes itself (an
// ESP32 with an SHT3x, a BH1750 and a PIR), spread over indoor, outdoor and greenhouse
// locations by the seed, so the live view and the web page show a fleet whose readings
// differ from node to node and follow the simulated day.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { buildFleet, type NodeBundle } from "./fleet-build";
import { hash, LOCATIONS, type Location } from "./environment/signals";

/** The demo board, as a board file would say it. */
export const DEMO_BOARD = {
  node: "demo",
  board: "ESP32",
  wifi: { ssid: "demo" },
  mqtt: { host: "192.168.1.10" },
  i2c: [{ name: "i2c0", scl: "D22", sda: "D21" }],
  sensors: [
    { name: "climate", type: "sht3x", bus: "i2c0", interval: 30_000 },
    { name: "light", type: "bh1750", bus: "i2c0", interval: 30_000 },
  ],
  inputs: [{ name: "motion", pin: "D27", kind: "motion", pull: "down" }],
  discovery: false,
};

export const DEMO_DESCRIPTION = "ESP32, SHT3x + BH1750 every 30 s, PIR";

/** Builds `count` demo clones (demo-001 ...) from a board file written to a temporary folder. */
export async function buildDemoFleet(count: number, progress?: (line: string) => void): Promise<NodeBundle[]> {
  if (count <= 0) return [];
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), "sensornode-demo-"));
  try {
    const file = path.join(folder, "demo.json");
    fs.writeFileSync(file, JSON.stringify(DEMO_BOARD, null, 2));
    return (await buildFleet([file], { nodes: count, progress })).map((bundle) => ({ ...bundle, file: "(demo fleet)" }));
  } finally {
    fs.rmSync(folder, { recursive: true, force: true });
  }
}

/** A demo node's location: from the master seed and its clone number, about a third each. */
export function demoLocation(seed: number, index: number): Location {
  return LOCATIONS[hash(seed, 0xde70, index) % LOCATIONS.length]!;
}
