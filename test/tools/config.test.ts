// Board files: every mistake is explained with file, line, JSON path and a fix; secrets are
// resolved from the environment or secrets.json and never echoed; schema.json is current.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import AjvModule from "ajv";
import { beforeEach, describe, expect, it } from "vitest";
import { checkFleet, formatProblem, loadBoard } from "../../tools/config";
import { schemaText } from "../../tools/write-schema";
import { ROOT } from "../../tools/build";
import { main } from "../../tools/cli";

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "sensornode-config-"));
});

function write(name: string, content: unknown): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, typeof content === "string" ? content : JSON.stringify(content, null, 2));
  return file;
}

const valid = {
  node: "test-node",
  board: "ESP32",
  wifi: { ssid: "lab", password: "${WIFI_PASSWORD}" },
  mqtt: { host: "broker.local" },
  i2c: [{ name: "i2c0", scl: "D22", sda: "D21" }],
  sensors: [{ name: "air", type: "bme280", bus: "i2c0" }],
};

function withChange(change: (board: any) => void): any {
  const board = structuredClone(valid);
  change(board);
  return board;
}

function problemsOf(board: unknown) {
  const result = loadBoard(write("board.json", board), { env: { WIFI_PASSWORD: "x".repeat(12) } });
  return result.problems.map((p) => ({ path: p.path, message: p.message, fix: p.fix ?? "", severity: p.severity }));
}

describe("board validation", () => {
  it("accepts a valid board and applies defaults", () => {
    const result = loadBoard(write("board.json", valid), { env: { WIFI_PASSWORD: "pw-123456" } });
    expect(result.problems).toEqual([]);
    expect(result.ok).toBe(true);
    expect(result.config!.mqtt).toMatchObject({ host: "broker.local", port: 1883, keepAlive: 60 });
    expect(result.config!.sensors![0]).toMatchObject({ address: 0x76, interval: 60000 });
    expect(result.config!.topicPrefix).toBe("sensornode");
    expect(result.config!.wifi!.password).toBe("pw-123456");
    expect(result.template!.wifi!.password).toBe("${WIFI_PASSWORD}");
  });

  it("defaults the port to 8883 with TLS", () => {
    const result = loadBoard(write("board.json", withChange((b) => (b.mqtt.tls = true))), { env: { WIFI_PASSWORD: "pw-123456" } });
    expect(result.config!.mqtt.port).toBe(8883);
  });

  it.each([
    ["a missing property", (b: any) => delete b.mqtt.host, "/mqtt/host", /missing required property "host"/, /Broker host/],
    ["a typo in a property name", (b: any) => (b.mqtt = { hots: "x" }), "/mqtt/hots", /unknown property "hots"/, /did you mean "host"/],
    ["a number written as a string", (b: any) => (b.mqtt.port = "1883"), "/mqtt/port", /must be a whole number, not the string "1883"/, /write 1883 without quotes/],
    ["an out-of-range number", (b: any) => (b.mqtt.port = 70000), "/mqtt/port", /above the maximum 65535/, /port/],
    ["a wrongly cased board kind", (b: any) => (b.board = "esp32"), "/board", /"esp32" is not allowed/, /did you mean "ESP32"/],
    ["an unknown sensor type", (b: any) => (b.sensors[0].type = "bme281"), "/sensors/0/type", /unknown sensor type "bme281"/, /did you mean "bme280"/],
    ["a sensor without type", (b: any) => delete b.sensors[0].type, "/sensors/0/type", /missing "type"/, /"bme280"/],
    ["an address the chip cannot have", (b: any) => (b.sensors[0].address = 0x40), "/sensors/0/address", /64 is not allowed/, /118 \(0x76\) or 119 \(0x77\)/],
    ["a node id with spaces", (b: any) => (b.node = "Green House"), "/node", /not in the expected form/, /lowercase letters/],
    ["a bus that does not exist", (b: any) => (b.sensors[0].bus = "i2c9"), "/sensors/0/bus", /no I2C bus named "i2c9"/, /use one of "i2c0"/],
    ["a pin used twice", (b: any) => (b.outputs = [{ name: "fan", pin: "D21" }]), "/outputs/0/pin", /pin D21 is already used at \/i2c\/0\/sda/, /own pin/],
    ["a pin the chip lacks", (b: any) => (b.outputs = [{ name: "fan", pin: "D24" }]), "/outputs/0/pin", /the ESP32 has no GPIO 24/, /0-19, 21-23/],
    ["a flash pin", (b: any) => (b.outputs = [{ name: "fan", pin: "D6" }]), "/outputs/0/pin", /SPI flash/, /another pin/],
    ["two sensors with one name", (b: any) => b.sensors.push({ name: "air", type: "sht3x", bus: "i2c0" }), "/sensors/1/name", /"air" is already used/, /unique/],
    ["two chips on one address", (b: any) => b.sensors.push({ name: "air2", type: "bmp280", bus: "i2c0" }), "/sensors/1/address", /already taken by \/sensors\/0/, /different addresses/],
    ["a reserved name", (b: any) => (b.sensors[0].name = "status"), "/sensors/0/name", /reserved topic level/, /another name/],
    ["WiFi on a LINUX board", (b: any) => (b.board = "LINUX"), "/wifi", /no WiFi module/, /remove "wifi"/],
    ["no WiFi on an ESP32", (b: any) => delete b.wifi, "/wifi", /needs "wifi"/, /ssid/],
    ["TLS on an ESP8266", (b: any) => ((b.board = "ESP8266"), (b.mqtt.tls = true), (b.i2c[0] = { name: "i2c0", scl: "D5", sda: "D4" })), "/mqtt/tls", /no TLS/, /ESP32/],
    ["an analog pin on ADC2", (b: any) => b.sensors.push({ name: "soil", type: "analog", pin: "D4" }), "/sensors/1/pin", /not an ADC1 pin/, /D32..D39/],
    ["a measurement the chip does not have", (b: any) => (b.sensors[0] = { name: "p", type: "bmp280", bus: "i2c0", measurements: { humidity: { offset: 1 } } }), "/sensors/0/measurements/humidity", /a bmp280 has no measurement "humidity"/, /"temperature", "pressure"/],
    ["a filter with a bad value", (b: any) => (b.sensors[0].measurements = { temperature: { median: 1 } }), "/sensors/0/measurements/temperature/median", /below the minimum 2/, /Median/],
    ["deep sleep on LINUX", (b: any) => ((b.board = "LINUX"), delete b.wifi, (b.sleep = { interval: 60000 })), "/sleep", /cannot deep sleep/, /remove/],
    ["a wildcard in a topic template", (b: any) => (b.topics = { reading: "x/#" }), "/topics/reading", /not in the expected form/, /Default/],
    ["a missing 1-Wire bus", (b: any) => b.sensors.push({ name: "probe", type: "ds18b20", bus: "ow" }), "/sensors/1/bus", /no 1-Wire bus named "ow"/, /onewire/],
  ])("explains %s", (_what, change, jsonPath, message, fix) => {
    const problems = problemsOf(withChange(change));
    const match = problems.find((p) => p.path === jsonPath && message.test(p.message));
    expect(match, JSON.stringify(problems, null, 2)).toBeDefined();
    expect(match!.fix).toMatch(fix);
    expect(match!.severity).toBe("error");
  });

  it("reports every mistake at once, each at its line", () => {
    const text = `{
  "node": "x",
  "board": "ESP32",
  "wifi": { "ssid": "lab" },
  "mqtt": { "host": "h", "port": "1883", "keepAlive": 1 },
  "sensors": [{ "name": "air", "type": "bme281", "bus": "i2c0" }]
}`;
    const result = loadBoard(write("many.json", text));
    expect(result.ok).toBe(false);
    const where = result.problems.map((p) => `${p.line}:${p.column} ${p.path}`);
    expect(where).toEqual(expect.arrayContaining(["5:26 /mqtt/port", "5:42 /mqtt/keepAlive", "6:32 /sensors/0/type"]));
    expect(formatProblem(result.problems[0]!)).toMatch(new RegExp(`^${result.file.replace(/[/.]/g, "\\$&")}:\\d+:\\d+ error /`));
  });

  it("points at the first JSON syntax error, with line and column", () => {
    const result = loadBoard(write("broken.json", '{\n  "node": "x",\n  "board": "ESP32",,\n}'));
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]).toMatchObject({ line: 3, column: 20, path: "" });
    expect(result.problems[0]!.message).toMatch(/not valid JSON/);
  });

  it("handles an empty and a missing file without throwing", () => {
    expect(loadBoard(write("empty.json", "")).problems[0]!.message).toMatch(/empty|not valid JSON/);
    expect(loadBoard(path.join(dir, "nope.json")).problems[0]!.message).toMatch(/cannot read the file \(ENOENT\)/);
  });

  it("warns about a password written in clear, without quoting it", () => {
    const problems = problemsOf(withChange((b) => (b.wifi.password = "hunter2-clear")));
    const warning = problems.find((p) => p.path === "/wifi/password")!;
    expect(warning.severity).toBe("warning");
    expect(JSON.stringify(problems)).not.toContain("hunter2-clear");
  });

  it("never echoes a too-long secret value", () => {
    const problems = problemsOf(withChange((b) => (b.mqtt.password = "p".repeat(200))));
    expect(problems.find((p) => p.path === "/mqtt/password")!.message).toMatch(/too long/);
    expect(JSON.stringify(problems)).not.toContain("p".repeat(50));
  });
});

describe("secrets", () => {
  it("come from the environment first, then from secrets.json next to the board", () => {
    write("secrets.json", { WIFI_PASSWORD: "from-file-1", MQTT_PASSWORD: "from-file-2" });
    const board = write("board.json", withChange((b) => (b.mqtt.password = "${MQTT_PASSWORD}")));
    const result = loadBoard(board, { env: { MQTT_PASSWORD: "from-env" }, requireSecrets: true });
    expect(result.ok).toBe(true);
    expect(result.config!.wifi!.password).toBe("from-file-1");
    expect(result.config!.mqtt.password).toBe("from-env");
    expect(result.secrets.sort()).toEqual(["MQTT_PASSWORD", "WIFI_PASSWORD"]);
  });

  it("a missing secret is a warning for validate and an error for build", () => {
    const board = write("board.json", valid);
    expect(loadBoard(board, { env: {} }).problems.map((p) => p.severity)).toEqual(["warning"]);
    const strict = loadBoard(board, { env: {}, requireSecrets: true });
    expect(strict.ok).toBe(false);
    expect(strict.problems[0]).toMatchObject({ path: "/wifi/password", message: "secret ${WIFI_PASSWORD} is not set" });
  });

  it("a broken secrets.json is reported without quoting its content", () => {
    write("secrets.json", '{ "WIFI_PASSWORD": "leak-me" ');
    const result = loadBoard(write("board.json", valid), { env: {}, requireSecrets: true });
    expect(result.ok).toBe(false);
    expect(JSON.stringify(result.problems)).not.toContain("leak-me");
    expect(result.problems.some((p) => p.message === "secrets.json is not valid JSON")).toBe(true);
  });
});

describe("fleet checks", () => {
  it("rejects two boards with the same node id", () => {
    const a = loadBoard(write("a.json", valid), { env: { WIFI_PASSWORD: "pw-123456" } });
    const b = loadBoard(write("b.json", valid), { env: { WIFI_PASSWORD: "pw-123456" } });
    const problems = checkFleet([a, b]);
    expect(problems).toHaveLength(1);
    expect(problems[0]!.message).toMatch(/node id "test-node" is already used by .*a\.json/);
  });
});

describe("schema.json", () => {
  it("is up to date with boards/schema.ts (run `npm run schema`)", () => {
    expect(fs.readFileSync(path.join(ROOT, "boards", "schema.json"), "utf8")).toBe(schemaText());
  });

  it("is a standalone JSON Schema that editors can use on the example boards", () => {
    const Ajv = (AjvModule as any).default ?? AjvModule;
    const ajv = new Ajv({ strict: false, discriminator: true });
    const validate = ajv.compile(JSON.parse(fs.readFileSync(path.join(ROOT, "boards", "schema.json"), "utf8")));
    for (const file of ["greenhouse.json", "door.json", "rpi-lab.json"]) {
      const board = JSON.parse(fs.readFileSync(path.join(ROOT, "boards", file), "utf8"));
      expect(board.$schema).toBe("./schema.json");
      expect(validate(board), `${file}: ${JSON.stringify(validate.errors)}`).toBe(true);
    }
    expect(validate({ node: "x", board: "ESP32" })).toBe(false);
  });
});

describe("sensornode validate", () => {
  function run(args: string[]) {
    const lines: string[] = [];
    return main(["node", "sensornode", "validate", ...args], { out: (t) => lines.push(t), err: (t) => lines.push(t) }).then((code) => ({ code, text: lines.join("\n") }));
  }

  it("passes the example boards, skipping schema.json", async () => {
    const { code, text } = await run([path.join(ROOT, "boards")]);
    expect(code).toBe(0);
    expect(text).toMatch(/3 boards: 0 errors/);
    expect(text).not.toContain("schema.json");
  });

  it("fails on a broken board, naming file, line and path, with no stack trace", async () => {
    const file = write("bad.json", withChange((b) => (b.mqtt.port = "1883")));
    const { code, text } = await run([file]);
    expect(code).toBe(1);
    expect(text).toContain(`${file}:`);
    expect(text).toContain("/mqtt/port: must be a whole number");
    expect(text).not.toMatch(/\bat .*\.ts:\d+/);
  });

  it("prints machine-readable problems with --json", async () => {
    const file = write("bad.json", withChange((b) => (b.board = "esp32")));
    const { code, text } = await run([file, "--json"]);
    expect(code).toBe(1);
    expect(JSON.parse(text.split("\n")[0]!)).toMatchObject({ path: "/board", severity: "error" });
  });

  it("has help text", async () => {
    const lines: string[] = [];
    const code = await main(["node", "sensornode", "validate", "--help"], { out: (t) => lines.push(t), err: (t) => lines.push(t) });
    expect(code).toBe(0);
    expect(lines.join("\n")).toMatch(/Check board files/);
  });
});
