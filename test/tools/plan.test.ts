// The build-time node plan: topics, measurements with units, and Home Assistant discovery
// payloads that follow HA's documented MQTT discovery schema (with its abbreviations).
import path from "node:path";
import vm from "node:vm";
import { describe, expect, it } from "vitest";
import { loadBoard } from "../../tools/config";
import { planNode } from "../../tools/plan";
import { buildBoard, FIRMWARE_VERSION, ROOT } from "../../tools/build";

const SECRETS = { WIFI_PASSWORD: "w-1234567", MQTT_PASSWORD: "m-1234567" };
const greenhouse = loadBoard(path.join(ROOT, "boards/greenhouse.json"), { env: SECRETS }).config!;
const door = loadBoard(path.join(ROOT, "boards/door.json"), { env: SECRETS }).config!;

// Home Assistant's documented abbreviations for the keys we use (MQTT discovery docs).
const ABBREVIATIONS: Record<string, string> = {
  stat_t: "state_topic", uniq_id: "unique_id", avty_t: "availability_topic", dev_cla: "device_class", stat_cla: "state_class",
  unit_of_meas: "unit_of_measurement", cmd_t: "command_topic", pl_on: "payload_on", pl_off: "payload_off", ret: "retain", dev: "device",
  ids: "identifiers", mdl: "model", mf: "manufacturer", sw: "sw_version", val_tpl: "value_template", pl_avail: "payload_available",
  pl_not_avail: "payload_not_available",
};
const AVAILABILITY = ["availability_topic", "payload_available", "payload_not_available"];
const ALLOWED: Record<string, string[]> = {
  sensor: ["name", "state_topic", "unique_id", ...AVAILABILITY, "device_class", "state_class", "unit_of_measurement", "value_template", "device"],
  binary_sensor: ["name", "state_topic", "unique_id", ...AVAILABILITY, "device_class", "payload_on", "payload_off", "device"],
  switch: ["name", "state_topic", "command_topic", "unique_id", ...AVAILABILITY, "payload_on", "payload_off", "retain", "device"],
};
const SENSOR_CLASSES: Record<string, string[]> = { temperature: ["°C", "°F", "K"], humidity: ["%"], pressure: ["Pa", "hPa", "kPa", "bar", "mbar", "psi", "inHg", "mmHg", "cbar"], illuminance: ["lx"], voltage: ["V", "mV"], moisture: ["%"] };

function expand(object: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(object)) {
    out[ABBREVIATIONS[key] ?? key] = value && typeof value === "object" && !Array.isArray(value) ? expand(value as Record<string, unknown>) : value;
  }
  return out;
}

describe("node plan", () => {
  it("resolves topics and one measurement per published quantity", () => {
    const plan = planNode(greenhouse, "1.2.3");
    expect(plan.topics).toEqual({
      status: "sensornode/greenhouse/status",
      diag: "sensornode/greenhouse/diag",
      cmd: "sensornode/greenhouse/cmd",
      homeAssistantStatus: "homeassistant/status",
    });
    expect(plan.measurements.map((m) => `${m.key} ${m.topic} ${m.unit} x${m.scale}`)).toEqual([
      "0 sensornode/greenhouse/air/temperature °C x1",
      "1 sensornode/greenhouse/air/humidity % x1",
      "2 sensornode/greenhouse/air/pressure hPa x0.01",
      "3 sensornode/greenhouse/light/illuminance lx x1",
      "4 sensornode/greenhouse/soil-temp/temperature °C x1",
      "5 sensornode/greenhouse/moisture/moisture % x1",
    ]);
    expect(plan.outputs).toEqual([
      { name: "fan", topic: "sensornode/greenhouse/fan/state", setTopic: "sensornode/greenhouse/fan/set" },
      { name: "valve", topic: "sensornode/greenhouse/valve/state", setTopic: "sensornode/greenhouse/valve/set" },
    ]);
  });

  it("applies topic templates, payload mode, status payloads and per-measurement settings", () => {
    const custom = structuredClone(greenhouse);
    custom.topics = { reading: "farm/{node}/{sensor}-{measurement}", status: "farm/{node}/alive" };
    custom.payload = "json";
    custom.status = { online: "up", offline: "down" };
    (custom.sensors![0] as any).measurements = { temperature: { name: "temp", unit: "°F", decimals: 2, offset: -0.8, delta: 0.2, heartbeat: 60000 } };
    const plan = planNode(custom, "1.2.3");
    expect(plan.topics.status).toBe("farm/greenhouse/alive");
    expect(plan.measurements[0]).toMatchObject({ topic: "farm/greenhouse/air-temp", measurement: "temp", field: "temperature", unit: "°F", decimals: 2, filter: { offset: -0.8, delta: 0.2, heartbeat: 60000 } });
    expect(plan.measurements[1]!.filter).toBeUndefined();
    expect(plan.payload).toBe("json");
    const first = JSON.parse(plan.discovery[0]![1]);
    expect(first).toMatchObject({ val_tpl: "{{ value_json.value }}", avty_t: "farm/greenhouse/alive", pl_avail: "up", pl_not_avail: "down" });
  });

  it("announces nothing with discovery off, and buffers less on an ESP8266", () => {
    expect(planNode({ ...greenhouse, discovery: false }, "1").discovery).toEqual([]);
    expect(planNode(door, "1").bufferCapacity).toBe(64);
    expect(planNode(greenhouse, "1").bufferCapacity).toBe(1000);
    expect(planNode({ ...greenhouse, buffer: 10 }, "1").bufferCapacity).toBe(10);
  });

  it.each([
    ["greenhouse", greenhouse],
    ["door", door],
    ["greenhouse, JSON payloads and custom status", { ...greenhouse, payload: "json" as const, status: { online: "up", offline: "down" } }],
  ])("%s: discovery payloads follow Home Assistant's schema", (_name, config) => {
    const plan = planNode(config, "1.2.3");
    expect(plan.discovery.length).toBe(plan.measurements.length + plan.inputs.length + plan.outputs.length);
    const uniqueIds = new Set<string>();
    for (const [topic, text] of plan.discovery) {
      const match = /^homeassistant\/(sensor|binary_sensor|switch)\/([a-z0-9_-]+)\/([a-zA-Z0-9_-]+)\/config$/.exec(topic);
      expect(match, topic).not.toBeNull();
      const component = match![1]!;
      const payload = expand(JSON.parse(text));
      for (const key of Object.keys(payload)) expect(ALLOWED[component], `${topic}: ${key}`).toContain(key);
      expect(payload.unique_id).toMatch(/^[a-zA-Z0-9_]+$/);
      uniqueIds.add(payload.unique_id as string);
      expect(payload.availability_topic).toBe(plan.topics.status);
      expect(typeof payload.state_topic).toBe("string");
      const device = payload.device as Record<string, unknown>;
      expect(device).toMatchObject({ identifiers: [`sensornode_${config.node}`], name: config.node, manufacturer: "sensornode", sw_version: "1.2.3" });
      // Availability on the status topic with the node's own words; HA's defaults ("online",
      // "offline") may be left out.
      const status = plan.status;
      expect(payload.payload_available ?? "online", topic).toBe(status.online);
      expect(payload.payload_not_available ?? "offline", topic).toBe(status.offline);
      if (component === "sensor") {
        // What the firmware publishes, with the class and unit HA needs for history and statistics.
        const m = plan.measurements.find((x) => x.topic === payload.state_topic)!;
        expect(m, topic).toBeDefined();
        expect(payload.state_class).toBe("measurement");
        expect(payload.unit_of_measurement ?? "", topic).toBe(m.unit);
        if (SENSOR_CLASSES[m.measurement]) expect(payload.device_class, topic).toBe(m.measurement);
        if (payload.device_class) expect(SENSOR_CLASSES[payload.device_class as string], String(payload.device_class)).toContain(payload.unit_of_measurement);
        if (plan.payload === "json") expect(payload.value_template).toBe("{{ value_json.value }}");
        else expect(payload.value_template).toBeUndefined();
      }
      if (component === "switch") {
        const output = plan.outputs.find((x) => x.topic === payload.state_topic)!;
        expect(output, topic).toBeDefined();
        expect(payload.command_topic).toBe(output.setTopic);
        expect([payload.payload_on, payload.payload_off]).toEqual(["ON", "OFF"]);
      }
      if (component === "binary_sensor") {
        const index = plan.inputs.findIndex((x) => x.topic === payload.state_topic);
        expect(index, topic).toBeGreaterThanOrEqual(0);
        expect([payload.payload_on, payload.payload_off]).toEqual(["ON", "OFF"]);
        const kind = (config.inputs ?? [])[index]!.kind;
        if (kind === "door" || kind === "motion") expect(payload.device_class).toBe(kind);
        else expect(payload.device_class).toBeUndefined();
      }
    }
    // One entity per measurement, input and output: every one announced.
    expect(plan.discovery.filter(([t]) => t.includes("/sensor/"))).toHaveLength(plan.measurements.length);
    expect(plan.discovery.filter(([t]) => t.includes("/binary_sensor/"))).toHaveLength(plan.inputs.length);
    expect(plan.discovery.filter(([t]) => t.includes("/switch/"))).toHaveLength(plan.outputs.length);
    expect(uniqueIds.size).toBe(plan.discovery.length);
  });

  it("reaches the firmware as a generated module, discovery built on demand", async () => {
    const result = await buildBoard(path.join(ROOT, "boards/door.json"), { env: SECRETS, entry: path.join(import.meta.dirname, "../fixtures/build/uses-plan.ts"), write: false });
    expect(result.violations).toEqual([]);
    expect(result.ok).toBe(true);
    const lines: string[] = [];
    vm.runInNewContext(result.output!.code, { console: { log: (t: string) => lines.push(t) } });
    const out = JSON.parse(lines[0]!);
    expect(out.plan.topics.status).toBe("sensornode/front-door/status");
    expect(out.plan.discovery).toBeUndefined();
    expect(out.discovery).toEqual(planNode(door, FIRMWARE_VERSION).discovery);
  });
});
