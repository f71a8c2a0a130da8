// Scenario files for `sensornode sim --scenario file.json` (issue 6): timed faults, and
// expectations that turn a run into an acceptance test.
//
//   {
//     "duration": "3m",                      // optional: used when --duration is not given
//     "faults": [
//       { "at": "30s", "fault": "wifi-drop", "duration": "60s" },
//       { "at": ["1m", "2m"], "fault": "broker-restart" },          // a seeded time in the range
//       { "at": "90s", "fault": "i2c-nack", "node": "greenhouse", "sensor": "air", "duration": "20s" }
//     ],
//     "expect": [
//       { "within": ["0s", "30s"], "topic": "sensornode/{node}/status", "payload": "online" },
//       { "within": ["2m", "3m"], "topic": "sensornode/+/air/temperature" },
//       { "within": ["0s", "3m"], "topic": "sensornode/{node}/status", "payload": "lost", "absent": true }
//     ]
//   }
//
// `node`: a node id, a pattern with * ("greenhouse-*"), "random" (one node, picked with the
// seed), or left out (every node; broker-restart has none). Topics take MQTT wildcards (+, #),
// and {node} makes one expectation per node. The same parser reads --fault flags:
//   wifi-drop@30s+60s   broker-restart@1m   i2c-nack@90s+20s:greenhouse/air   power-loss@2m:random
// Faults with a setting take it after "=": latency=300ms@1m+2m  loss=0.2@1m+2m  clock-jump=-1h@2m
// (in a file: "delay": "300ms", "probability": 0.2, "by": "-1h"). i2c-stuck names a bus, not a
// sensor: i2c-stuck@1m+30s:greenhouse/i2c0 (in a file: "bus": "i2c0").
import { parseDuration } from "./cli";

export const FAULT_KINDS = ["wifi-drop", "broker-restart", "socket-drop", "power-loss", "i2c-nack", "device-gone", "latency", "loss", "half-open", "i2c-stuck", "crc", "clock-jump"] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** Faults that last: they end after `duration` (a default when left out). */
export const LASTING: Partial<Record<FaultKind, number>> = {
  "wifi-drop": 30_000,
  "i2c-nack": 30_000,
  "device-gone": 30_000,
  latency: 60_000,
  loss: 60_000,
  "i2c-stuck": 30_000,
  crc: 30_000,
};
/** Faults on one sensor. */
export const ON_SENSOR: readonly FaultKind[] = ["i2c-nack", "device-gone", "crc"];
/** Sensor types whose readings carry a CRC (the crc fault needs one). */
export const WITH_CRC = ["sht3x", "aht20", "ds18b20"];

export interface FaultSpec {
  /** ms on the simulation clock, or a range for a seeded pick. */
  at: number | [number, number];
  fault: FaultKind;
  node?: string;
  sensor?: string;
  /** ms; only for lasting faults. */
  duration?: number;
  /** i2c-stuck: the bus's name in the board file (I2C or 1-Wire). */
  bus?: string;
  /** latency: extra one-way delay per chunk, ms. */
  delay?: number;
  /** loss: chance that a TCP segment is lost (and retransmitted), 0..1. */
  probability?: number;
  /** clock-jump: how far the board's clock jumps, ms (negative = back). */
  by?: number;
  /** Where it was written, for messages: "faults[2]" or "--fault wifi-drop@30s". */
  source: string;
}

export interface Expectation {
  within: [number, number];
  topic: string;
  payload?: string;
  absent?: boolean;
  source: string;
}

export interface Scenario {
  duration?: number;
  faults: FaultSpec[];
  expect: Expectation[];
}

export class ScenarioError extends Error {}

/** Reads and checks a scenario file; every mistake is a sentence with its JSON path. */
export function parseScenario(text: string, file = "scenario"): Scenario {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new ScenarioError(`${file} is not JSON: ${(error as Error).message}`);
  }
  const problems: string[] = [];
  const scenario: Scenario = { faults: [], expect: [] };
  if (!isObject(raw)) throw new ScenarioError(`${file}: expected an object with "faults" and/or "expect"`);
  unknownKeys(raw, ["$schema", "duration", "faults", "expect", "description"], "", problems);
  if (raw.duration !== undefined) scenario.duration = time(raw.duration, "duration", problems);
  list(raw.faults, "faults", problems).forEach((entry, index) => {
    const fault = faultFrom(entry, `faults[${index}]`, problems);
    if (fault) scenario.faults.push(fault);
  });
  list(raw.expect, "expect", problems).forEach((entry, index) => {
    const expectation = expectationFrom(entry, `expect[${index}]`, problems);
    if (expectation) scenario.expect.push(expectation);
  });
  if (problems.length) throw new ScenarioError(`${file} has ${problems.length === 1 ? "a mistake" : `${problems.length} mistakes`}:\n  ${problems.join("\n  ")}`);
  return scenario;
}

/** One --fault flag: kind[=setting]@at[+duration][:node[/sensor or bus]], e.g. i2c-nack@90s+20s:greenhouse/air, latency=300ms@1m+2m. */
export function parseFaultFlag(text: string): FaultSpec {
  const match = /^([a-z0-9-]+)(?:=([^@]+))?@([^+:]+)(?:\+([^:]+))?(?::([^/]+)(?:\/(.+))?)?$/.exec(text.trim());
  const source = `--fault ${text}`;
  if (!match) throw new ScenarioError(`${source}: write kind[=setting]@time[+duration][:node[/sensor]], e.g. wifi-drop@30s+60s, i2c-nack@90s+20s:greenhouse/air or latency=300ms@1m+2m`);
  const problems: string[] = [];
  const entry: Record<string, unknown> = { fault: match[1], at: match[3] };
  const setting = SETTING[match[1] as FaultKind];
  if (match[2] !== undefined) {
    if (!setting) throw new ScenarioError(`${source}: ${match[1]} takes no setting after "="; only ${Object.keys(SETTING).join(", ")} do`);
    entry[setting] = setting === "probability" ? Number(match[2]) : match[2];
  }
  if (match[4] !== undefined) entry.duration = match[4];
  if (match[5] !== undefined) entry.node = match[5];
  if (match[6] !== undefined) entry[match[1] === "i2c-stuck" ? "bus" : "sensor"] = match[6];
  const fault = faultFrom(entry, source, problems);
  if (!fault) throw new ScenarioError(problems.join("; "));
  return fault;
}

/** The setting a fault kind takes (its key in a file, after "=" in a flag). */
const SETTING: Partial<Record<FaultKind, "delay" | "probability" | "by">> = { latency: "delay", loss: "probability", "clock-jump": "by" };

function faultFrom(entry: unknown, path: string, problems: string[]): FaultSpec | undefined {
  if (!isObject(entry)) {
    problems.push(`${path}: expected an object such as {"at": "30s", "fault": "wifi-drop", "duration": "60s"}`);
    return undefined;
  }
  const before = problems.length;
  unknownKeys(entry, ["at", "fault", "node", "sensor", "bus", "duration", "delay", "probability", "by"], path, problems);
  const kind = entry.fault;
  if (typeof kind !== "string" || !(FAULT_KINDS as readonly string[]).includes(kind)) {
    problems.push(`${field(path, "fault")}: ${kind === undefined ? "missing" : JSON.stringify(kind) + " is not a fault"}; choose one of ${FAULT_KINDS.join(", ")}`);
    return undefined;
  }
  const fault = kind as FaultKind;
  let at: FaultSpec["at"] = 0;
  if (Array.isArray(entry.at) && entry.at.length === 2) {
    const from = time(entry.at[0], `${field(path, "at[0]")}`, problems);
    const to = time(entry.at[1], `${field(path, "at[1]")}`, problems);
    if (to < from) problems.push(`${field(path, "at")}: the range ends before it starts`);
    at = [from, to];
  } else if (entry.at === undefined) problems.push(`${field(path, "at")}: missing; when the fault happens, e.g. "30s" (or a range ["1m", "2m"] for a seeded time)`);
  else at = time(entry.at, `${field(path, "at")}`, problems);
  const spec: FaultSpec = { at, fault, source: path };
  if (entry.node !== undefined) {
    if (fault === "broker-restart") problems.push(`${field(path, "node")}: broker-restart affects every node; leave "node" out`);
    else if (typeof entry.node !== "string" || entry.node === "") problems.push(`${field(path, "node")}: expected a node id, a pattern with *, or "random"`);
    else spec.node = entry.node;
  }
  if (ON_SENSOR.includes(fault)) {
    if (typeof entry.sensor !== "string" || entry.sensor === "") problems.push(`${field(path, "sensor")}: ${fault} needs the sensor's name from the board file, e.g. "air"`);
    else spec.sensor = entry.sensor;
  } else if (entry.sensor !== undefined) problems.push(`${field(path, "sensor")}: only ${ON_SENSOR.join(", ")} take a sensor`);
  if (fault === "i2c-stuck") {
    if (typeof entry.bus !== "string" || entry.bus === "") problems.push(`${field(path, "bus")}: i2c-stuck needs the bus's name from the board file, e.g. "i2c0"`);
    else spec.bus = entry.bus;
  } else if (entry.bus !== undefined) problems.push(`${field(path, "bus")}: only i2c-stuck takes a bus`);
  settings(entry, fault, path, spec, problems);
  if (entry.duration !== undefined) {
    if (LASTING[fault] === undefined) problems.push(`${field(path, "duration")}: ${fault} is instantaneous (${describeInstant(fault)}); leave "duration" out`);
    else spec.duration = time(entry.duration, `${field(path, "duration")}`, problems);
  } else if (LASTING[fault] !== undefined) spec.duration = LASTING[fault];
  return problems.length > before ? undefined : spec;
}

/** delay (latency), probability (loss), by (clock-jump): required for their kind, refused elsewhere. */
function settings(entry: Record<string, unknown>, fault: FaultKind, path: string, spec: FaultSpec, problems: string[]): void {
  const wanted = SETTING[fault];
  for (const key of ["delay", "probability", "by"] as const) {
    if (entry[key] === undefined || key === wanted) continue;
    problems.push(`${field(path, key)}: only ${Object.entries(SETTING).find(([, k]) => k === key)![0]} takes "${key}"`);
  }
  if (wanted === "delay") {
    if (entry.delay === undefined) problems.push(`${field(path, "delay")}: latency needs the extra one-way delay, e.g. "300ms" (flag: latency=300ms@1m+2m)`);
    else spec.delay = time(entry.delay, field(path, "delay"), problems);
  } else if (wanted === "probability") {
    const p = entry.probability;
    if (typeof p !== "number" || !(p >= 0 && p < 1)) problems.push(`${field(path, "probability")}: loss needs the chance a segment is lost, a number from 0 up to (not including) 1, e.g. 0.2 (flag: loss=0.2@1m+2m)`);
    else spec.probability = p;
  } else if (wanted === "by") {
    const match = typeof entry.by === "string" ? /^([+-])?(.+)$/.exec(entry.by.trim()) : undefined;
    if (typeof entry.by === "number" && Number.isFinite(entry.by)) spec.by = entry.by;
    else if (!match) problems.push(`${field(path, "by")}: clock-jump needs how far the clock jumps, e.g. "-1h" or "+10m" (flag: clock-jump=-1h@2m)`);
    else {
      const size = time(match[2], field(path, "by"), problems);
      spec.by = match[1] === "-" ? -size : size;
    }
    if (spec.by === 0) problems.push(`${field(path, "by")}: a jump of 0 changes nothing; write e.g. "-1h" or "+10m"`);
  }
}

/** A field's place in messages: faults[2].at in a file, "--fault wifi-drop@x (at)" for a flag. */
export function field(path: string, key: string): string {
  return path.startsWith("--") ? `${path} (${key})` : `${path}.${key}`;
}

function describeInstant(fault: FaultKind): string {
  if (fault === "broker-restart") return "the embedded broker goes down and comes back on the same ports at once";
  if (fault === "power-loss") return "the board loses power and boots again at once";
  if (fault === "clock-jump") return "the board's clock jumps by `by` at once";
  if (fault === "half-open") return "the node's open connections go silent for good, and it must notice by itself";
  return "the broker side of every open socket of the node goes away";
}

function expectationFrom(entry: unknown, path: string, problems: string[]): Expectation | undefined {
  if (!isObject(entry)) {
    problems.push(`${path}: expected an object such as {"within": ["0s", "2m"], "topic": "sensornode/{node}/status", "payload": "online"}`);
    return undefined;
  }
  const before = problems.length;
  unknownKeys(entry, ["within", "topic", "payload", "absent"], path, problems);
  let within: [number, number] = [0, 0];
  if (!Array.isArray(entry.within) || entry.within.length !== 2) problems.push(`${path}.within: expected a window of two times, e.g. ["0s", "2m"]`);
  else {
    within = [time(entry.within[0], `${path}.within[0]`, problems), time(entry.within[1], `${path}.within[1]`, problems)];
    if (within[1] < within[0]) problems.push(`${path}.within: the window ends before it starts`);
  }
  if (typeof entry.topic !== "string" || entry.topic === "") problems.push(`${path}.topic: expected a topic (MQTT wildcards + and # allowed, {node} for each node)`);
  if (entry.payload !== undefined && typeof entry.payload !== "string") problems.push(`${path}.payload: expected the payload as a string, e.g. "online" or "21.5"`);
  if (entry.absent !== undefined && typeof entry.absent !== "boolean") problems.push(`${path}.absent: expected true or false`);
  if (problems.length > before) return undefined;
  return { within, topic: entry.topic as string, payload: entry.payload as string | undefined, absent: entry.absent === true ? true : undefined, source: path };
}

function time(value: unknown, path: string, problems: string[]): number {
  if (typeof value === "number" && Number.isFinite(value) && value >= 0) return value;
  if (typeof value === "string") {
    // "90s", "15m", and compounds such as "2m30s" or "1h30m" (the way sentences print times)
    const parts = value.trim().match(/\d+(?:\.\d+)?\s*(?:ms|s|m|h|d)?/g);
    const whole = parts && parts.join("").replace(/\s/g, "") === value.replace(/\s/g, "");
    // a bare number is milliseconds, but only on its own ("1m30" is a mistake, not 1 min 30 ms)
    if (parts && whole && (parts.length === 1 || parts.every((part) => /[a-z]$/.test(part)))) {
      try {
        return parts.reduce((sum, part) => sum + parseDuration(part), 0);
      } catch {
        // the sentence below
      }
    }
  }
  problems.push(`${path}: ${JSON.stringify(value)} is not a time; write e.g. "90s", "15m", "1h" (from the start of the run)`);
  return 0;
}

function list(value: unknown, path: string, problems: string[]): unknown[] {
  if (value === undefined) return [];
  if (Array.isArray(value)) return value;
  problems.push(`${path}: expected a list`);
  return [];
}

function unknownKeys(object: Record<string, unknown>, known: string[], path: string, problems: string[]): void {
  for (const key of Object.keys(object)) if (!known.includes(key)) problems.push(`${path ? path + "." : ""}${key}: not a scenario field (known: ${known.filter((k) => k !== "$schema").join(", ")})`);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** 90000 -> "1m30s", 2500 -> "2.5s": times in sentences. */
export function formatTime(ms: number): string {
  if (ms === 0) return "0s";
  if (ms < 1000) return `${ms}ms`;
  if (ms < 60_000) return `${Math.round(ms / 100) / 10}s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms % 60_000) / 1000);
  if (minutes < 60) return `${minutes}m${seconds ? `${seconds}s` : ""}`;
  const hours = Math.floor(minutes / 60);
  return `${hours}h${minutes % 60 ? `${minutes % 60}m` : ""}`;
}
