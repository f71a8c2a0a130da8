// Loading a board file: parse, validate against the schema, check cross-references,
// resolve "${SECRET}" values, apply defaults. Every problem names the file, the line, the
// JSON path, what is wrong and what would be right. Nothing here throws on bad input:
// problems are returned, so one run reports every mistake at once.
import fs from "node:fs";
import path from "node:path";
import AjvModule, { type ErrorObject } from "ajv";
import { findNodeAtLocation, getNodeValue, parseTree, printParseErrorCode, type Node as JsonNode, type ParseError } from "jsonc-parser";
import { BoardSchema, SECRET_PATTERN, type BoardConfig, type SensorConfig } from "../boards/schema";
import { FIELDS } from "./plan";

export interface Problem {
  file: string;
  /** JSON pointer, "" for the whole file. */
  path: string;
  line: number;
  column: number;
  message: string;
  /** What would be right. */
  fix?: string;
  severity: "error" | "warning";
}

export interface LoadedBoard {
  file: string;
  /** Validated, with defaults applied and secrets resolved (only when `ok`). */
  config?: BoardConfig;
  problems: Problem[];
  ok: boolean;
  /** The same config with secrets left as "${NAME}": safe to hash, log or show. */
  template?: BoardConfig;
  /** Names of the secrets this board uses (never their values). */
  secrets: string[];
}

export interface LoadOptions {
  /** Environment for secrets; default process.env. */
  env?: Record<string, string | undefined>;
  /** Missing secrets are errors (build) or warnings (validate). */
  requireSecrets?: boolean;
}

// ajv ships CommonJS with `default` on the module object.
const Ajv = (AjvModule as unknown as { default: typeof AjvModule }).default ?? AjvModule;
const ajv = new Ajv({ allErrors: true, discriminator: true, strict: false, verbose: true });
const validateSchema = ajv.compile(BoardSchema);

const SECRET = new RegExp(SECRET_PATTERN);
const DEFAULT_INTERVAL = 60_000;

/** Board files in a list of paths, leaving out the schema and the secrets file. */
export function isBoardFile(file: string): boolean {
  const base = path.basename(file);
  return base.endsWith(".json") && base !== "schema.json" && base !== "secrets.json";
}

/** The board files in a folder, sorted. */
export function listBoards(folder: string): string[] {
  if (!fs.existsSync(folder)) return [];
  return fs.readdirSync(folder).filter(isBoardFile).sort().map((f) => path.join(folder, f));
}

/** Board files from command-line arguments (files or folders); `warn` hears about anything else. */
export function boardFiles(args: string[], warn: (text: string) => void): string[] {
  const files: string[] = [];
  for (const arg of args) {
    if (fs.existsSync(arg) && fs.statSync(arg).isDirectory()) files.push(...listBoards(arg));
    else if (isBoardFile(arg)) files.push(arg);
    else if (!arg.endsWith(".json")) warn(`${arg}: not a board file (expected a .json file or a folder of them)`);
  }
  return files;
}

export function loadBoard(file: string, options: LoadOptions = {}): LoadedBoard {
  const problems: Problem[] = [];
  const result: LoadedBoard = { file, problems, ok: false, secrets: [] };
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (error) {
    problems.push(at(file, "", 1, 1, `cannot read the file (${(error as NodeJS.ErrnoException).code ?? String(error)})`, "check the path"));
    return result;
  }
  const locate = locator(file, text);

  const parseErrors: ParseError[] = [];
  const tree = parseTree(text, parseErrors, { allowTrailingComma: false, disallowComments: true });
  if (parseErrors.length > 0 || !tree) {
    // The first syntax error is the real one; the rest are its echoes.
    for (const error of parseErrors.slice(0, 1)) {
      const { line, column } = lineColumn(text, error.offset);
      problems.push(at(file, "", line, column, `not valid JSON: ${describeParseError(printParseErrorCode(error.error))}`, "fix the JSON syntax at this position"));
    }
    if (problems.length === 0) problems.push(at(file, "", 1, 1, "the file is empty", "write a board object: { \"node\": ..., \"board\": ..., \"mqtt\": {...} }"));
    return result;
  }
  const raw = getNodeValue(tree) as unknown;

  if (!validateSchema(raw)) {
    for (const error of simplify(validateSchema.errors ?? [])) problems.push(schemaProblem(error, locate));
    return result;
  }
  const board = structuredClone(raw) as BoardConfig;
  for (const problem of crossCheck(board)) problems.push(locate(problem.path, problem.message, problem.fix, problem.severity));
  const template = structuredClone(board);
  applyDefaults(template);
  result.secrets = resolveSecrets(board, file, options, locate, problems);
  applyDefaults(board);
  result.ok = !problems.some((p) => p.severity === "error");
  if (result.ok) {
    result.config = board;
    result.template = template;
  }
  return result;
}

/** Same node id in two files means two nodes fighting over one set of topics. */
export function checkFleet(boards: LoadedBoard[]): Problem[] {
  const seen: Record<string, string> = {};
  const problems: Problem[] = [];
  for (const board of boards) {
    const node = board.config?.node;
    if (!node) continue;
    if (seen[node]) {
      problems.push(at(board.file, "/node", 1, 1, `node id "${node}" is already used by ${seen[node]}`, "give every board its own node id: topics and client ids derive from it"));
    } else seen[node] = board.file;
  }
  return problems;
}

export function formatProblem(problem: Problem): string {
  const where = `${problem.file}:${problem.line}:${problem.column}`;
  const jsonPath = problem.path === "" ? "" : ` ${problem.path}:`;
  const label = problem.severity === "warning" ? "warning" : "error";
  return `${where} ${label}${jsonPath} ${problem.message}${problem.fix ? `\n    fix: ${problem.fix}` : ""}`;
}

// ---------------------------------------------------------------------------------------
// Schema errors → sentences

type Locate = (jsonPath: string, message: string, fix: string | undefined, severity?: "error" | "warning") => Problem;

function at(file: string, jsonPath: string, line: number, column: number, message: string, fix?: string, severity: "error" | "warning" = "error"): Problem {
  return { file, path: jsonPath, line, column, message, fix, severity };
}

function locator(file: string, text: string): Locate {
  const tree = parseTree(text);
  return (jsonPath, message, fix, severity = "error") => {
    const segments = jsonPath.split("/").slice(1).map((s) => (/^\d+$/.test(s) ? Number(s) : s.replace(/~1/g, "/").replace(/~0/g, "~")));
    let node: JsonNode | undefined;
    // The deepest node that exists: a missing property is reported at its parent.
    for (let n = segments.length; n >= 0 && !node; n--) node = tree ? findNodeAtLocation(tree, segments.slice(0, n)) : undefined;
    // For a property, point at its key rather than its value.
    const offset = node?.parent?.type === "property" ? node.parent.offset : (node?.offset ?? 0);
    const { line, column } = lineColumn(text, offset);
    return at(file, jsonPath, line, column, message, fix, severity);
  };
}

function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset).split("\n");
  return { line: before.length, column: before[before.length - 1]!.length + 1 };
}

function describeParseError(code: string): string {
  const words: Record<string, string> = {
    InvalidSymbol: "unexpected character",
    InvalidNumberFormat: "malformed number",
    PropertyNameExpected: "a property name in double quotes was expected",
    ValueExpected: "a value was expected",
    ColonExpected: "':' was expected",
    CommaExpected: "',' was expected",
    CloseBraceExpected: "'}' was expected",
    CloseBracketExpected: "']' was expected",
    EndOfFileExpected: "text after the end of the JSON value",
    InvalidCommentToken: "comments are not allowed in JSON",
    UnexpectedEndOfComment: "unfinished comment",
    UnexpectedEndOfString: "unfinished string",
    UnexpectedEndOfNumber: "unfinished number",
    InvalidUnicode: "invalid unicode escape",
    InvalidEscapeCharacter: "invalid escape character",
    InvalidCharacter: "invalid character in a string",
  };
  return words[code] ?? code;
}

/** With allErrors, one mistake can produce several errors; keep the most useful ones. */
function simplify(errors: ErrorObject[]): ErrorObject[] {
  const seen = new Set<string>();
  return errors.filter((error) => {
    // A failed discriminator reports its own precise error; the oneOf summary adds nothing.
    if (error.keyword === "oneOf" || error.keyword === "anyOf" || error.keyword === "if") return false;
    const key = `${error.instancePath}|${error.keyword}|${JSON.stringify(error.params)}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function schemaProblem(error: ErrorObject, locate: Locate): Problem {
  const schema = (error.parentSchema ?? {}) as { description?: string; properties?: Record<string, { description?: string }>; enum?: unknown[] };
  const description = schema.description;
  const value = error.data;
  switch (error.keyword) {
    case "required": {
      const property = (error.params as { missingProperty: string }).missingProperty;
      const child = schema.properties?.[property]?.description;
      return locate(`${error.instancePath}/${property}`, `missing required property "${property}"`, `add "${property}"${child ? `: ${child}` : ""}`);
    }
    case "additionalProperties": {
      const property = (error.params as { additionalProperty: string }).additionalProperty;
      const allowed = Object.keys(schema.properties ?? {}).filter((k) => k !== "$schema");
      const guess = closest(property, allowed);
      return locate(
        `${error.instancePath}/${property}`,
        `unknown property "${property}"`,
        guess ? `did you mean "${guess}"? (allowed here: ${allowed.join(", ")})` : `remove it; allowed here: ${allowed.join(", ")}`,
      );
    }
    case "type": {
      const expected = (error.params as { type: string }).type;
      const fix = typeof value === "string" && expected.includes("integer") && /^-?\d+$/.test(value) ? `write ${value} without quotes` : description;
      return locate(error.instancePath, `must be ${article(expected)}, not ${describe(value)}`, fix);
    }
    case "enum": {
      const allowed = (error.params as { allowedValues: unknown[] }).allowedValues;
      const guess = typeof value === "string" ? closest(value, allowed.filter((a): a is string => typeof a === "string")) : undefined;
      return locate(
        error.instancePath,
        `${describe(value)} is not allowed`,
        `${guess ? `did you mean ${JSON.stringify(guess)}? ` : ""}use one of ${allowed.map((a) => JSON.stringify(a)).join(", ")}${description ? ` (${description})` : ""}`,
      );
    }
    case "discriminator": {
      const params = error.params as { error: string; tag: string; tagValue: unknown };
      const known = ((error.schema as unknown as { oneOf?: { properties: { type: { const: string } } }[] }).oneOf ?? []).map((s) => s.properties.type.const);
      const all = known.length > 0 ? known : ((error.parentSchema as { oneOf?: { properties: { type: { const: string } } }[] }).oneOf ?? []).map((s) => s.properties.type.const);
      if (params.error === "tag" && params.tagValue === undefined) {
        return locate(`${error.instancePath}/${params.tag}`, `missing "${params.tag}"`, `add "${params.tag}": one of ${all.map((k) => JSON.stringify(k)).join(", ")}`);
      }
      const guess = typeof params.tagValue === "string" ? closest(params.tagValue, all) : undefined;
      return locate(
        `${error.instancePath}/${params.tag}`,
        `unknown sensor ${params.tag} ${JSON.stringify(params.tagValue)}`,
        `${guess ? `did you mean ${JSON.stringify(guess)}? ` : ""}supported: ${all.map((k) => JSON.stringify(k)).join(", ")}`,
      );
    }
    case "const":
      return locate(error.instancePath, `${describe(value)} is not allowed here`, `use ${JSON.stringify((error.params as { allowedValue: unknown }).allowedValue)}`);
    case "pattern":
      return locate(error.instancePath, `${describe(value)} is not in the expected form`, description);
    case "minimum":
    case "maximum":
    case "exclusiveMinimum":
    case "exclusiveMaximum": {
      const limit = (error.params as { limit: number }).limit;
      const word = error.keyword.includes("inimum") ? "below the minimum" : "above the maximum";
      return locate(error.instancePath, `${describe(value)} is ${word} ${limit}`, description);
    }
    case "minLength":
      return locate(error.instancePath, `is too short (at least ${(error.params as { limit: number }).limit} characters)`, description);
    case "maxLength":
      // Do not echo the value: it may be a password.
      return locate(error.instancePath, `is too long (at most ${(error.params as { limit: number }).limit} characters)`, description);
    case "maxItems":
      return locate(error.instancePath, `has too many entries (at most ${(error.params as { limit: number }).limit})`, description);
    default:
      return locate(error.instancePath, error.message ?? error.keyword, description);
  }
}

function article(type: string): string {
  const word = type === "integer" ? "a whole number" : type === "object" ? "an object { ... }" : type === "array" ? "a list [ ... ]" : `a ${type}`;
  return word;
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "an object";
  if (typeof value === "string") return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value)}`;
  return `${typeof value === "number" ? "the number" : "the value"} ${String(value)}`;
}

/** The candidate nearest to `word` by edit distance, if near enough to be a typo. */
function closest(word: string, candidates: string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length]!;
}

// ---------------------------------------------------------------------------------------
// Checks JSON Schema cannot express

interface Finding {
  path: string;
  message: string;
  fix?: string;
  severity?: "error" | "warning";
}

const RESERVED_NAMES = ["status", "diag", "cmd", "set"];
const I2C_TYPES = ["bme280", "bmp280", "sht3x", "bh1750", "aht20"];

function crossCheck(board: BoardConfig): Finding[] {
  const findings: Finding[] = [];
  const isEsp = board.board === "ESP32" || board.board === "ESP8266";
  if (isEsp && !board.wifi) findings.push({ path: "/wifi", message: `an ${board.board} needs "wifi" to reach the broker`, fix: 'add "wifi": { "ssid": "...", "password": "${WIFI_PASSWORD}" }' });
  if (board.board === "LINUX" && board.wifi) findings.push({ path: "/wifi", message: "a LINUX board uses the host's network and has no WiFi module", fix: 'remove "wifi"' });
  if (board.board === "LINUX" && board.sleep) findings.push({ path: "/sleep", message: "a LINUX board cannot deep sleep", fix: 'remove "sleep"' });
  if (board.board === "ESP8266" && board.mqtt.tls) findings.push({ path: "/mqtt/tls", message: "Espruino on ESP8266 has no TLS", fix: "use an ESP32 or LINUX board for TLS, or set tls to false on a trusted network" });

  // Pins: used once each, and valid for the board.
  const pinUsers: Record<string, string> = {};
  function usePin(pin: string, where: string) {
    const problem = pinProblem(board.board, pin);
    if (problem) findings.push({ path: where, message: problem.message, fix: problem.fix });
    if (pinUsers[pin]) findings.push({ path: where, message: `pin ${pin} is already used at ${pinUsers[pin]}`, fix: "wire each device to its own pin (sensors share a bus by naming the same bus)" });
    else pinUsers[pin] = where;
  }
  (board.i2c ?? []).forEach((bus, i) => {
    usePin(bus.scl, `/i2c/${i}/scl`);
    usePin(bus.sda, `/i2c/${i}/sda`);
  });
  (board.onewire ?? []).forEach((bus, i) => usePin(bus.pin, `/onewire/${i}/pin`));
  (board.inputs ?? []).forEach((input, i) => usePin(input.pin, `/inputs/${i}/pin`));
  (board.outputs ?? []).forEach((output, i) => usePin(output.pin, `/outputs/${i}/pin`));
  (board.sensors ?? []).forEach((sensor, i) => {
    if (sensor.type === "analog") {
      usePin(sensor.pin, `/sensors/${i}/pin`);
      if (board.board === "ESP8266" && sensor.pin !== "A0") findings.push({ path: `/sensors/${i}/pin`, message: "the ESP8266 has one analog input, A0", fix: 'use "pin": "A0"' });
      if (board.board === "ESP32" && !/^D3[2-9]$/.test(sensor.pin)) {
        findings.push({ path: `/sensors/${i}/pin`, message: `${sensor.pin} is not an ADC1 pin; ADC2 cannot be read while WiFi is on`, fix: "use one of D32..D39" });
      }
    }
  });

  // Buses named once; sensors name an existing bus of the right kind; one device per address.
  const i2cNames = (board.i2c ?? []).map((b) => b.name);
  const oneWireNames = (board.onewire ?? []).map((b) => b.name);
  uniqueNames(i2cNames.concat(oneWireNames), (i) => (i < i2cNames.length ? `/i2c/${i}/name` : `/onewire/${i - i2cNames.length}/name`), "bus", findings);
  const addresses: Record<string, number> = {};
  (board.sensors ?? []).forEach((sensor: SensorConfig, i) => {
    if (I2C_TYPES.includes(sensor.type) && "bus" in sensor) {
      if (!i2cNames.includes(sensor.bus)) {
        findings.push({ path: `/sensors/${i}/bus`, message: `no I2C bus named "${sensor.bus}"`, fix: i2cNames.length ? `use one of ${i2cNames.map((n) => JSON.stringify(n)).join(", ")}` : 'add an "i2c" bus: [{ "name": "i2c0", "scl": "D22", "sda": "D21" }]' });
      }
      const address = ("address" in sensor && sensor.address) || defaultAddress(sensor.type);
      const key = `${sensor.bus}@${address}`;
      if (addresses[key] !== undefined) findings.push({ path: `/sensors/${i}/address`, message: `address ${address} (0x${address.toString(16)}) on bus "${sensor.bus}" is already taken by /sensors/${addresses[key]}`, fix: "two chips of one kind need different addresses (most have an address pin), or separate buses" });
      else addresses[key] = i;
    }
    const known = sensor.type === "analog" ? [sensor.measurement ?? "voltage"] : (FIELDS[sensor.type] ?? []);
    for (const field of Object.keys((sensor as { measurements?: object }).measurements ?? {})) {
      if (!known.includes(field)) findings.push({ path: `/sensors/${i}/measurements/${field}`, message: `a ${sensor.type} has no measurement "${field}"`, fix: `use ${known.map((k) => JSON.stringify(k)).join(", ")}` });
    }
    if (sensor.type === "ds18b20" && !oneWireNames.includes(sensor.bus)) {
      findings.push({ path: `/sensors/${i}/bus`, message: `no 1-Wire bus named "${sensor.bus}"`, fix: oneWireNames.length ? `use one of ${oneWireNames.map((n) => JSON.stringify(n)).join(", ")}` : 'add a "onewire" bus: [{ "name": "ow0", "pin": "D4" }]' });
    }
  });

  // Names become topic levels: unique across sensors, inputs and outputs, and not reserved.
  const entities: [string, string][] = [];
  (board.sensors ?? []).forEach((s, i) => entities.push([s.name, `/sensors/${i}/name`]));
  (board.inputs ?? []).forEach((s, i) => entities.push([s.name, `/inputs/${i}/name`]));
  (board.outputs ?? []).forEach((s, i) => entities.push([s.name, `/outputs/${i}/name`]));
  uniqueNames(entities.map((e) => e[0]), (i) => entities[i]![1], "sensor, input or output", findings);
  for (const [name, where] of entities) {
    if (RESERVED_NAMES.includes(name)) findings.push({ path: where, message: `"${name}" is a reserved topic level (${RESERVED_NAMES.join(", ")})`, fix: "choose another name" });
  }

  // A password written in clear ends up in git.
  for (const [where, value] of [["/wifi/password", board.wifi?.password], ["/mqtt/password", board.mqtt.password]] as const) {
    if (value !== undefined && value !== "" && !SECRET.test(value)) {
      findings.push({ path: where, severity: "warning", message: "a password is written in clear in the board file, which is usually committed", fix: `write "\${${where === "/wifi/password" ? "WIFI_PASSWORD" : "MQTT_PASSWORD"}}" and set it in the environment or in secrets.json (git-ignored)` });
    }
  }
  return findings;
}

function uniqueNames(names: string[], where: (index: number) => string, what: string, findings: Finding[]) {
  const first: Record<string, number> = {};
  names.forEach((name, i) => {
    if (first[name] !== undefined) findings.push({ path: where(i), message: `${what} name "${name}" is already used at ${where(first[name]!)}`, fix: "names must be unique: they become topic levels" });
    else first[name] = i;
  });
}

export function defaultAddress(type: string): number {
  const defaults: Record<string, number> = { bme280: 0x76, bmp280: 0x76, sht3x: 0x44, bh1750: 0x23, aht20: 0x38 };
  return defaults[type] ?? 0;
}

function pinProblem(board: BoardConfig["board"], pin: string): { message: string; fix: string } | undefined {
  const gpio = /^D(\d+)$/.exec(pin);
  if (board === "ESP32") {
    if (pin.startsWith("NodeMCU.") || pin === "A0") return { message: `${pin} is an ESP8266 pin name`, fix: "on an ESP32 use D0..D39 (the GPIO number)" };
    const n = Number(gpio![1]);
    const exists = n <= 19 || (n >= 21 && n <= 23) || (n >= 25 && n <= 27) || (n >= 32 && n <= 39);
    if (!exists) return { message: `the ESP32 has no GPIO ${n}`, fix: "use a GPIO that exists: 0-19, 21-23, 25-27, 32-39" };
    if (n >= 6 && n <= 11) return { message: `GPIO ${n} is wired to the SPI flash on ESP32 modules`, fix: "use another pin" };
  }
  if (board === "ESP8266") {
    if (gpio && Number(gpio[1]) > 16) return { message: `the ESP8266 has no GPIO ${gpio[1]}`, fix: "use D0..D16 or the NodeMCU.D0..D8 names" };
    if (gpio && Number(gpio[1]) >= 6 && Number(gpio[1]) <= 11) return { message: `GPIO ${gpio[1]} is wired to the SPI flash on ESP8266 modules`, fix: "use another pin" };
  }
  if (board === "LINUX" && (pin.startsWith("NodeMCU.") || pin === "A0")) return { message: `${pin} is an ESP8266 pin name`, fix: "use D<n> with the GPIO number" };
  return undefined;
}

// ---------------------------------------------------------------------------------------
// Secrets and defaults

function resolveSecrets(board: BoardConfig, file: string, options: LoadOptions, locate: Locate, problems: Problem[]): string[] {
  const env = options.env ?? process.env;
  const secretsFile = path.join(path.dirname(file), "secrets.json");
  let stored: Record<string, unknown> | undefined;
  const names: string[] = [];
  function lookup(name: string): string | undefined {
    if (env[name] !== undefined) return env[name];
    if (stored === undefined) {
      stored = {};
      if (fs.existsSync(secretsFile)) {
        try {
          stored = JSON.parse(fs.readFileSync(secretsFile, "utf8")) as Record<string, unknown>;
        } catch {
          // Never echo the parser's message: it may quote a secret.
          problems.push(at(secretsFile, "", 1, 1, "secrets.json is not valid JSON", 'write { "NAME": "value", ... }'));
        }
      }
    }
    const value = stored[name];
    return typeof value === "string" ? value : undefined;
  }
  function visit(value: unknown, jsonPath: string, set: (v: string) => void) {
    if (typeof value === "string" && SECRET.test(value)) {
      const name = value.slice(2, -1);
      names.push(name);
      const secret = lookup(name);
      if (secret === undefined) {
        problems.push(
          locate(jsonPath, `secret \${${name}} is not set`, `export ${name}=... before building, or add "${name}" to ${path.relative(process.cwd(), secretsFile) || secretsFile}`, options.requireSecrets ? "error" : "warning"),
        );
      } else set(secret);
    } else if (Array.isArray(value)) {
      value.forEach((item, i) => visit(item, `${jsonPath}/${i}`, (v) => (value[i] = v)));
    } else if (value && typeof value === "object") {
      for (const key of Object.keys(value)) visit((value as Record<string, unknown>)[key], `${jsonPath}/${key}`, (v) => ((value as Record<string, unknown>)[key] = v));
    }
  }
  visit(board, "", () => undefined);
  return names;
}

function applyDefaults(board: BoardConfig): void {
  delete board.$schema;
  board.topicPrefix ??= "sensornode";
  board.mqtt.port ??= board.mqtt.tls ? 8883 : 1883;
  board.mqtt.keepAlive ??= 60;
  for (const bus of board.i2c ?? []) bus.bitrate ??= 100_000;
  for (const sensor of board.sensors ?? []) {
    sensor.interval ??= DEFAULT_INTERVAL;
    if (I2C_TYPES.includes(sensor.type) && "bus" in sensor && !("address" in sensor && sensor.address)) (sensor as { address?: number }).address = defaultAddress(sensor.type);
  }
}
