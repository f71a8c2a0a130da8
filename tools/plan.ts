// The node plan: everything about a node that is known at build time — resolved topics,
// measurements with units and decimals, Home Assistant discovery messages — computed here
// on the laptop instead of by the firmware on the board. The firmware receives it through
// the generated module "sensornode:plan".
//
// Memory: discovery payloads are a few hundred bytes each. As module-level strings they
// would sit in RAM for the node's whole life; emitted as the cases of one function they stay
// in the function's text (in flash, when the code runs from flash) and exist in RAM only
// while one is being published.
import type { BoardConfig, SensorConfig } from "../boards/schema";
import type { FilterConfig } from "../firmware/filters";

export interface MeasurementPlan {
  /** Index in `measurements`: the buffer stores this instead of strings. */
  key: number;
  sensor: string;
  /** The driver's sample field: temperature, humidity, pressure, illuminance, or the analog name. */
  field: string;
  /** The topic level and discovery name. */
  measurement: string;
  topic: string;
  unit: string;
  decimals: number;
  /** Multiplier from the driver's SI value to the published unit (Pa -> hPa is 0.01). */
  scale: number;
  deviceClass?: string;
  /** Filters from the board's "measurements" entry; absent when there are none. */
  filter?: FilterConfig;
}

export interface EntityPlan {
  name: string;
  topic: string;
  /** Outputs only. */
  setTopic?: string;
}

export interface NodePlan {
  node: string;
  /** "plain": the value alone; "json": the seeds' JSON reading. */
  payload: "plain" | "json";
  retain: boolean;
  status: { online: string; offline: string; sleeping: string };
  /** Readings kept while MQTT is down. */
  bufferCapacity: number;
  topics: { status: string; diag: string; cmd: string; homeAssistantStatus: string };
  measurements: MeasurementPlan[];
  inputs: EntityPlan[];
  outputs: EntityPlan[];
  /** Retained discovery messages: [topic, payload]. */
  discovery: [string, string][];
  /** Discovery topics of this node's entities, to find stale ones left by earlier configs. */
  discoveryPrefix: string;
}

/** What a board's firmware receives (planModule): the plan without what only the build uses. */
export type FirmwarePlan = Omit<NodePlan, "discovery" | "discoveryPrefix" | "measurements" | "inputs" | "topics"> & {
  measurements: Omit<MeasurementPlan, "key" | "deviceClass">[];
  inputs: { topic: string }[];
  topics: Omit<NodePlan["topics"], "homeAssistantStatus">;
};

interface MeasurementKind {
  unit: string;
  decimals: number;
  scale: number;
  deviceClass?: string;
}

/** Published units (SI from the drivers, scaled where people expect another unit). */
const KINDS: Record<string, MeasurementKind> = {
  temperature: { unit: "°C", decimals: 1, scale: 1, deviceClass: "temperature" },
  humidity: { unit: "%", decimals: 1, scale: 1, deviceClass: "humidity" },
  pressure: { unit: "hPa", decimals: 1, scale: 0.01, deviceClass: "pressure" },
  illuminance: { unit: "lx", decimals: 0, scale: 1, deviceClass: "illuminance" },
};

export const FIELDS: Record<string, string[]> = {
  bme280: ["temperature", "humidity", "pressure"],
  bmp280: ["temperature", "pressure"],
  sht3x: ["temperature", "humidity"],
  aht20: ["temperature", "humidity"],
  bh1750: ["illuminance"],
  ds18b20: ["temperature"],
};

/** Home Assistant binary_sensor device classes for the input kinds. */
const INPUT_CLASSES: Record<string, string> = { door: "door", motion: "motion" };

const FILTER_KEYS = ["multiply", "offset", "min", "max", "median", "average", "delta", "heartbeat", "throttle"] as const;

/** Fills a topic template: {prefix}, {node}, {sensor}, {measurement}. */
export function fillTopic(template: string, tokens: Record<string, string>): string {
  return template.replace(/\{(prefix|node|sensor|measurement)\}/g, (_, token: string) => tokens[token] ?? "");
}

export function planNode(config: BoardConfig, firmwareVersion: string): NodePlan {
  const prefix = config.topicPrefix ?? "sensornode";
  const base = `${prefix}/${config.node}`;
  const templates = { status: "{prefix}/{node}/status", reading: "{prefix}/{node}/{sensor}/{measurement}", diag: "{prefix}/{node}/diag", cmd: "{prefix}/{node}/cmd", ...config.topics };
  const topic = (template: string, sensor = "", measurement = "") => fillTopic(template, { prefix, node: config.node, sensor, measurement });
  const measurements: MeasurementPlan[] = [];
  /** Applies the board's per-measurement settings (name, unit, decimals, filters) to a default. */
  function add(sensor: SensorConfig, m: Omit<MeasurementPlan, "key" | "topic">) {
    const settings = ((sensor as { measurements?: Record<string, Record<string, unknown>> }).measurements ?? {})[m.field] ?? {};
    const measurement = (settings.name as string | undefined) ?? m.measurement;
    const filter: FilterConfig = {};
    for (const key of FILTER_KEYS) if (settings[key] !== undefined) filter[key] = settings[key] as number;
    measurements.push({
      ...m,
      key: measurements.length,
      measurement,
      topic: topic(templates.reading, sensor.name, measurement),
      unit: (settings.unit as string | undefined) ?? m.unit,
      decimals: (settings.decimals as number | undefined) ?? m.decimals,
      filter: Object.keys(filter).length > 0 ? filter : undefined,
    });
  }
  (config.sensors ?? []).forEach((sensor: SensorConfig) => {
    if (sensor.type === "analog") {
      const measurement = sensor.measurement ?? "voltage";
      add(sensor, {
        sensor: sensor.name,
        field: measurement,
        measurement,
        unit: sensor.unit ?? (measurement === "voltage" ? "V" : ""),
        decimals: 2,
        scale: 1,
        deviceClass: measurement === "voltage" ? "voltage" : measurement === "moisture" ? "moisture" : undefined,
      });
      return;
    }
    for (const field of FIELDS[sensor.type] ?? []) {
      const kind = KINDS[field]!;
      add(sensor, {
        sensor: sensor.name,
        field,
        measurement: field,
        unit: kind.unit,
        decimals: kind.decimals,
        scale: kind.scale,
        deviceClass: kind.deviceClass,
      });
    }
  });
  const inputs = (config.inputs ?? []).map((input) => ({ name: input.name, topic: `${base}/${input.name}/state` }));
  const outputs = (config.outputs ?? []).map((output) => ({ name: output.name, topic: `${base}/${output.name}/state`, setTopic: `${base}/${output.name}/set` }));
  const status = topic(templates.status);
  const plan: NodePlan = {
    node: config.node,
    payload: config.payload ?? "plain",
    retain: config.retain ?? false,
    status: { online: "online", offline: "offline", sleeping: "sleeping", ...config.status },
    bufferCapacity: config.buffer ?? (config.board === "ESP8266" ? 64 : 1000),
    topics: { status, diag: topic(templates.diag), cmd: topic(templates.cmd), homeAssistantStatus: "homeassistant/status" },
    measurements,
    inputs,
    outputs,
    discovery: [],
    discoveryPrefix: `homeassistant/+/${config.node}/`,
  };

  if (config.discovery === false) return plan;
  // Home Assistant MQTT discovery, with its documented abbreviations to save bytes on the board.
  const availability: Record<string, unknown> = { avty_t: status };
  if (plan.status.online !== "online") availability.pl_avail = plan.status.online;
  if (plan.status.offline !== "offline") availability.pl_not_avail = plan.status.offline;
  const device = { ids: [`sensornode_${config.node}`], name: config.node, mdl: config.board, mf: "sensornode", sw: firmwareVersion };
  const uid = (object: string) => `sensornode_${config.node}_${object}`.replace(/-/g, "_");
  for (const m of measurements) {
    const object = `${m.sensor}_${m.measurement}`.replace(/-/g, "_");
    const payload: Record<string, unknown> = { name: `${m.sensor} ${m.measurement}`, uniq_id: uid(object), stat_t: m.topic, ...availability, stat_cla: "measurement" };
    if (plan.payload === "json") payload.val_tpl = "{{ value_json.value }}";
    if (m.deviceClass) payload.dev_cla = m.deviceClass;
    if (m.unit) payload.unit_of_meas = m.unit;
    payload.dev = device;
    plan.discovery.push([`homeassistant/sensor/${config.node}/${object}/config`, JSON.stringify(payload)]);
  }
  (config.inputs ?? []).forEach((input, i) => {
    const object = input.name.replace(/-/g, "_");
    const payload: Record<string, unknown> = { name: input.name, uniq_id: uid(object), stat_t: inputs[i]!.topic, ...availability, pl_on: "ON", pl_off: "OFF" };
    if (input.kind && INPUT_CLASSES[input.kind]) payload.dev_cla = INPUT_CLASSES[input.kind];
    payload.dev = device;
    plan.discovery.push([`homeassistant/binary_sensor/${config.node}/${object}/config`, JSON.stringify(payload)]);
  });
  outputs.forEach((output) => {
    const object = output.name.replace(/-/g, "_");
    const payload = { name: output.name, uniq_id: uid(object), stat_t: output.topic, cmd_t: output.setTopic, ...availability, pl_on: "ON", pl_off: "OFF", ret: false, dev: device };
    plan.discovery.push([`homeassistant/switch/${config.node}/${object}/config`, JSON.stringify(payload)]);
  });
  return plan;
}

/**
 * The source of the generated module "sensornode:plan": the plan without its discovery
 * payloads, plus `discoveryCount` and `discoveryMessage(i)` that returns one [topic, payload].
 */
export function planModule(plan: NodePlan): string {
  // Only what the firmware reads: every property and string here is alive on the board for
  // its whole life (on an ESP8266, ~1 variable per property and per 10 characters). The
  // discovery payloads already hold the device classes; names and units are in readings
  // only in JSON mode.
  const json = plan.payload === "json";
  // `key` is the index (the firmware uses that), input names are only in discovery, and the
  // Home Assistant status topic is a constant in firmware/node.ts.
  const measurements = plan.measurements.map((m) => ({
    ...m,
    key: undefined,
    deviceClass: undefined,
    measurement: json ? m.measurement : undefined,
    unit: json ? m.unit : undefined,
  }));
  const small = {
    ...plan,
    measurements,
    inputs: plan.inputs.map((input) => ({ topic: input.topic })),
    topics: { ...plan.topics, homeAssistantStatus: undefined },
    discovery: undefined,
    discoveryPrefix: undefined,
  };
  const cases = plan.discovery.map(([topic, payload], i) => `    case ${i}: return [${JSON.stringify(topic)}, ${JSON.stringify(payload)}];`).join("\n");
  return [
    `export const plan = ${JSON.stringify(small)};`,
    `export const discoveryCount = ${plan.discovery.length};`,
    `export function discoveryMessage(i) {`,
    `  switch (i) {`,
    cases,
    `  }`,
    `  return undefined;`,
    `}`,
    "",
  ].join("\n");
}
