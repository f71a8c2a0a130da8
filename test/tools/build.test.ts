// The build: every example board builds and passes the gate; dialect violations in source
// fail the build with the source location; secrets reach the bundle but never a report or log.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import vm from "node:vm";
import { beforeAll, describe, expect, it } from "vitest";
import { buildBoard, ROOT } from "../../tools/build";
import { checkDialect } from "../../tools/gate";
import { isBoardFile } from "../../tools/config";
import { main } from "../../tools/cli";

const boardsDir = path.join(ROOT, "boards");
const boards = fs.readdirSync(boardsDir).filter(isBoardFile).sort();
const SECRETS = { WIFI_PASSWORD: "wifi-Secret-4711", MQTT_PASSWORD: "mqtt-Secret-0815" };
const fixtures = path.join(import.meta.dirname, "../fixtures/build");
let out: string;

beforeAll(() => {
  out = fs.mkdtempSync(path.join(os.tmpdir(), "sensornode-build-"));
});

/** Runs a bundle in a context that has only what Espruino has for logging. */
function runBundle(code: string): string[] {
  const lines: string[] = [];
  const log = (...args: unknown[]) => lines.push(args.map(String).join(" "));
  vm.runInNewContext(code, { console: { log }, print: log }, { timeout: 5000 });
  return lines;
}

describe("build", () => {
  it("ships at least three example boards, one of each kind", () => {
    expect(boards.length).toBeGreaterThanOrEqual(3);
    const kinds = boards.map((b) => JSON.parse(fs.readFileSync(path.join(boardsDir, b), "utf8")).board);
    expect(new Set(kinds)).toEqual(new Set(["ESP32", "ESP8266", "LINUX"]));
  });

  it.each(boards)("builds %s inside the dialect, with a size and memory report", async (board) => {
    const result = await buildBoard(path.join(boardsDir, board), { outDir: out, env: SECRETS });
    expect(result.problems.filter((p) => p.severity === "error")).toEqual([]);
    expect(result.violations).toEqual([]);
    expect(result.ok).toBe(true);
    const output = result.output!;
    expect(fs.readFileSync(output.file, "utf8")).toBe(output.code);
    expect(fs.existsSync(output.debugFile)).toBe(true);
    expect(output.bytes).toBeLessThan(output.debugBytes);
    expect(output.gzipBytes).toBeLessThan(output.bytes);
    // Re-check the written files independently of the build's own gate run.
    expect(checkDialect(output.code)).toEqual([]);
    expect(checkDialect(output.debugCode)).toEqual([]);
    const memory = result.memory!;
    expect(memory.budget.total).toBe(result.config!.board === "ESP8266" ? 1600 : 16383);
    expect(memory.fromFlash).toBeGreaterThan(memory.budget.baseline);
    expect(memory.fromRam).toBeGreaterThan(memory.fromFlash);
    expect(memory.peakRamUpload).toBeGreaterThan(memory.fromRam);
  });

  it("bakes the config in and logs a summary with no secret in it", async () => {
    const result = await buildBoard(path.join(boardsDir, "greenhouse.json"), { outDir: out, env: SECRETS, entry: path.join(fixtures, "prints-summary.ts") });
    expect(result.output!.code).toContain(SECRETS.WIFI_PASSWORD);
    expect(fs.statSync(result.output!.file).mode & 0o077).toBe(0); // owner-only: it holds the secrets
    const lines = runBundle(result.output!.code);
    expect(lines[0]).toMatch(/^sensornode \d+\.\d+\.\d+ config [0-9a-f]{12}: node greenhouse on ESP32$/);
    expect(lines.join("\n")).toContain("mqtt://192.168.1.10:1883");
    expect(lines.join("\n")).toContain("password set");
    for (const secret of Object.values(SECRETS)) expect(lines.join("\n")).not.toContain(secret);
  });

  it("never prints a secret in the build report, whatever the format", async () => {
    const printed: string[] = [];
    const io = { out: (t: string) => printed.push(t), err: (t: string) => printed.push(t) };
    const saved = { ...process.env };
    Object.assign(process.env, SECRETS);
    try {
      expect(await main(["node", "sensornode", "build", path.join(boardsDir, "greenhouse.json"), "--out", out], io)).toBe(0);
      expect(await main(["node", "sensornode", "build", path.join(boardsDir, "greenhouse.json"), "--out", out, "--json", "--modules"], io)).toBe(0);
    } finally {
      process.env = saved;
    }
    const text = printed.join("\n");
    expect(text).toContain("greenhouse");
    for (const secret of Object.values(SECRETS)) expect(text).not.toContain(secret);
  });

  it("the config hash changes with the config but not with a secret's value", async () => {
    const a = await buildBoard(path.join(boardsDir, "greenhouse.json"), { outDir: out, env: SECRETS, write: false });
    const b = await buildBoard(path.join(boardsDir, "greenhouse.json"), { outDir: out, env: { ...SECRETS, WIFI_PASSWORD: "another" }, write: false });
    const c = await buildBoard(path.join(boardsDir, "door.json"), { outDir: out, env: SECRETS, write: false });
    expect(a.configHash).toBe(b.configHash);
    expect(a.configHash).not.toBe(c.configHash);
  });

  it("fails with a clear error when a secret is missing", async () => {
    const result = await buildBoard(path.join(boardsDir, "greenhouse.json"), { outDir: out, env: {} });
    expect(result.ok).toBe(false);
    const messages = result.problems.filter((p) => p.severity === "error").map((p) => `${p.path} ${p.message} ${p.fix}`);
    expect(messages).toContain("/wifi/password secret ${WIFI_PASSWORD} is not set export WIFI_PASSWORD=... before building, or add \"WIFI_PASSWORD\" to boards/secrets.json");
  });

  it.each([
    ["uses-destructuring.ts", "destructuring", "uses-destructuring.ts:3:7"],
    ["uses-exponent.ts", "exponent", "uses-exponent.ts:2:13"],
  ])("rejects %s at the source line instead of lowering it", async (entry, rule, where) => {
    const result = await buildBoard(path.join(boardsDir, "rpi-lab.json"), { outDir: out, entry: path.join(fixtures, entry), write: false });
    expect(result.ok).toBe(false);
    expect(result.violations.map((v) => v.rule)).toContain(rule);
    expect(result.violations.find((v) => v.rule === rule)!.source).toContain(where);
  });

  it("rejects a Node import with a sentence", async () => {
    const result = await buildBoard(path.join(boardsDir, "rpi-lab.json"), { outDir: out, entry: path.join(fixtures, "uses-node.ts"), write: false });
    expect(result.ok).toBe(false);
    expect(result.errors.join("\n")).toContain('"node:fs" is a Node module; firmware runs on Espruino');
  });

  it("compiles class fields into constructor assignments", async () => {
    const result = await buildBoard(path.join(boardsDir, "rpi-lab.json"), { outDir: out, entry: path.join(fixtures, "class-fields.ts"), write: false });
    expect(result.violations).toEqual([]);
    expect(result.ok).toBe(true);
    expect(result.output!.debugCode).toMatch(/this\.count = 0/);
    expect(runBundle(result.output!.code)).toEqual(["2"]);
  });
});

describe("per-board drivers", () => {
  it.each([
    ["door.json", ["input", "sht3x"], ["bme280", "bh1750", "ds18b20", "digital-output"]],
    ["greenhouse.json", ["analog", "bh1750", "bme280", "ds18b20", "output"], ["sht3x", "aht20", "digital-input"]],
    ["rpi-lab.json", ["aht20", "bmp280"], ["sht3x", "bh1750", "ds18b20", "digital-input", "digital-output"]],
  ])("%s bundles only the drivers it uses", async (board, used, unused) => {
    const result = await buildBoard(path.join(boardsDir, board), { outDir: out, env: SECRETS, entry: path.join(fixtures, "lists-drivers.ts"), write: false });
    expect(result.violations).toEqual([]);
    expect(result.ok).toBe(true);
    expect(runBundle(result.output!.code)).toEqual([used.join(",")]);
    const modules = result.modules!.map((m) => m.path);
    for (const file of unused) expect(modules).not.toContain(`hal/drivers/${file}.ts`);
  });
});
