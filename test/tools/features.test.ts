// Build-time feature switches (hal/features.d.ts) and the unwrapped board bundle: a board
// that does not use a feature gets a bundle without it, a board that uses it keeps it; the
// bundle's top level is Espruino's global scope, so its names must not take Espruino's own.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parse } from "acorn";
import { beforeAll, describe, expect, it } from "vitest";
import { buildBoard, ESPRUINO_SHORT_GLOBALS, featuresOf, ROOT } from "../../tools/build";
import { loadBoard } from "../../tools/config";

const SECRETS = { WIFI_PASSWORD: "x", MQTT_PASSWORD: "y" };
const boards = path.join(ROOT, "boards");
let dir: string;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "sensornode-features-"));
});

/** A copy of an example board with a change, next to the schema it names. */
function variant(board: string, change: (json: Record<string, any>) => void): string {
  const json = JSON.parse(fs.readFileSync(path.join(boards, board), "utf8"));
  change(json);
  json.$schema = path.join(boards, "schema.json");
  const file = path.join(dir, `${path.basename(board, ".json")}-${Math.random().toString(36).slice(2, 8)}.json`);
  fs.writeFileSync(file, JSON.stringify(json, null, 2));
  return file;
}

async function bundle(file: string): Promise<string> {
  const result = await buildBoard(file, { env: SECRETS, write: false });
  expect(result.problems.filter((p) => p.severity === "error")).toEqual([]);
  expect(result.violations).toEqual([]);
  expect(result.errors).toEqual([]);
  return result.output!.code;
}

// Text only the feature's code has in the minified bundle (property names and Espruino
// calls survive minification).
const MARKS = {
  filters: "smoothed", // MeasurementFilter's state
  oneWire: "new OneWire(",
  analog: "analogRead(",
  tls: '"tls"',
  sleep: '"sn-sleep"', // the file that carries a chained sleep
  outputs: '"TOGGLE"', // the output set payload
};

describe("feature switches", () => {
  it("door.json uses none of them, greenhouse.json uses 1-Wire and analog", () => {
    const door = loadBoard(path.join(boards, "door.json"), { env: SECRETS }).config!;
    const greenhouse = loadBoard(path.join(boards, "greenhouse.json"), { env: SECRETS }).config!;
    expect(featuresOf(door)).toEqual({ filters: false, oneWire: false, analog: false, tls: false, qos2: false, unsubscribe: false, sleep: false, outputs: false });
    expect(featuresOf(greenhouse)).toEqual({ filters: false, oneWire: true, analog: true, tls: false, qos2: false, unsubscribe: false, sleep: false, outputs: true });
  });

  it("leaves out 1-Wire and analog on door.json and keeps them on greenhouse.json", async () => {
    const door = await bundle(path.join(boards, "door.json"));
    const greenhouse = await bundle(path.join(boards, "greenhouse.json"));
    expect(door).not.toContain(MARKS.oneWire);
    expect(door).not.toContain(MARKS.analog);
    expect(greenhouse).toContain(MARKS.oneWire);
    expect(greenhouse).toContain(MARKS.analog);
  });

  it("keeps the filters only when a measurement has one", async () => {
    const plain = await bundle(path.join(boards, "door.json"));
    const filtered = await bundle(variant("door.json", (json) => {
      json.sensors[0].measurements = { temperature: { average: 4, delta: 0.2, heartbeat: 600000 } };
    }));
    expect(plain).not.toContain(MARKS.filters);
    expect(filtered).toContain(MARKS.filters);
  });

  it("leaves the MQTT client's unsubscribe() out of every example board (the node never unsubscribes)", async () => {
    for (const board of ["door.json", "greenhouse.json", "rpi-lab.json"]) {
      expect(await bundle(path.join(boards, board))).not.toContain("unsubscribe");
    }
  });

  it("keeps battery mode only when the board has a sleep section", async () => {
    const plain = await bundle(path.join(boards, "door.json"));
    const battery = await bundle(variant("door.json", (json) => {
      json.sleep = { interval: 600000 };
    }));
    expect(plain).not.toContain(MARKS.sleep);
    expect(battery).toContain(MARKS.sleep);
  });

  it("keeps the outputs only when the board has some", async () => {
    const door = await bundle(path.join(boards, "door.json"));
    const greenhouse = await bundle(path.join(boards, "greenhouse.json"));
    expect(door).not.toContain(MARKS.outputs);
    expect(greenhouse).toContain(MARKS.outputs);
  });

  it("keeps the TLS path only when the broker connection uses TLS", async () => {
    const plain = await bundle(path.join(boards, "rpi-lab.json"));
    const tls = await bundle(variant("rpi-lab.json", (json) => {
      json.mqtt.tls = true;
    }));
    expect(plain).not.toContain(MARKS.tls);
    expect(tls).toContain(MARKS.tls);
  });
});

describe("the board bundle", () => {
  it("has no wrapper function and no top-level name Espruino already uses", async () => {
    const code = await bundle(path.join(boards, "door.json"));
    const ast = parse(code, { ecmaVersion: "latest", sourceType: "script" }) as any;
    expect(ast.body.length).toBeGreaterThan(20); // statements at the top level, not one IIFE
    const names: string[] = [];
    for (const statement of ast.body) {
      if (statement.type === "FunctionDeclaration" || statement.type === "ClassDeclaration") names.push(statement.id.name);
      if (statement.type === "VariableDeclaration") for (const d of statement.declarations) if (d.id.type === "Identifier") names.push(d.id.name);
    }
    expect(names.length).toBeGreaterThan(50);
    expect(names.filter((name) => ESPRUINO_SHORT_GLOBALS.includes(name))).toEqual([]);
    // The reserve statement itself is gone.
    expect(code.startsWith(ESPRUINO_SHORT_GLOBALS.join(","))).toBe(false);
  });
});
