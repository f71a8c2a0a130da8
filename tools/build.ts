// Builds one board's firmware: the board's validated config baked in, one bundle,
// checked by the dialect gate, minified by esbuild only, with a size and memory report.
//
// Two passes, on purpose:
//  1. Bundle with NO syntax lowering (target esnext), except class fields, which become
//     constructor assignments. Whatever the source wrote reaches the gate unchanged, so a
//     destructuring or a `**` in firmware/ is a build error, not something esbuild quietly
//     rewrote (its `**` lowering is the inexact Math.pow; its destructuring lowering costs
//     temporaries the ESP8266 cannot spare).
//  2. Minify that output with ESPRUINO_SUPPORTED, so the minifier never introduces syntax
//     Espruino lacks (it would turn `a || (a = b)` into `a ||= b`), then gate it again.
//     The board's bundle drops pass 1's `(() => {...})()` wrapper (see minifyUnwrapped: the
//     wrapper cost the ESP8266 board ~480 of its 1,600 variables).
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import crypto from "node:crypto";
import * as esbuild from "esbuild";
import { TraceMap, originalPositionFor } from "@jridgewell/trace-mapping";
import { parse } from "acorn";
import type { BoardConfig } from "../boards/schema";
import { checkDialect, type Violation } from "./gate";
import { loadBoard, type LoadOptions, type Problem } from "./config";
import { releaseBootOnly } from "./boot-only";
import { inlineConstants } from "./inline";
import { estimateMemory, type MemoryEstimate } from "./memory";
import { planModule, planNode } from "./plan";

export const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
const ENTRY = path.join(ROOT, "firmware", "main.ts");

/** What Espruino 2v29 lacks, as esbuild feature names (design.md §3). */
export const ESPRUINO_SUPPORTED: Record<string, boolean> = {
  "destructuring": false,
  "default-argument": false,
  "rest-argument": false,
  "object-rest-spread": false,
  "nested-rest-binding": false,
  "optional-chain": false,
  "exponent-operator": false,
  "logical-assignment": false,
  "async-await": false,
  "async-generator": false,
  "for-await": false,
  "generator": false,
  "class-field": false,
  "class-static-field": false,
  "class-private-field": false,
  "class-private-method": false,
  "class-private-accessor": false,
  "class-private-static-field": false,
  "class-private-static-method": false,
  "class-private-static-accessor": false,
  "class-private-brand-check": false,
  "class-static-blocks": false,
  "bigint": false,
  "new-target": false,
  "regexp-lookbehind-assertions": false,
  "regexp-named-capture-groups": false,
  "regexp-sticky-and-unicode-flags": false,
  "regexp-dot-all-flag": false,
  "regexp-match-indices": false,
  "regexp-unicode-property-escapes": false,
  "regexp-set-notation": false,
  "top-level-await": false,
  "using": false,
  "decorators": false,
  "dynamic-import": false,
  "import-meta": false,
};

/** Pass 1 lowers only class fields (to constructor assignments); everything else stays visible. */
const PASS1_SUPPORTED: Record<string, boolean> = { "class-field": false, "class-static-field": false };

export interface BuildOptions extends LoadOptions {
  outDir?: string;
  /** Firmware entry; tests point it at small fixtures. */
  entry?: string;
  /** Write files (default true). */
  write?: boolean;
}

export interface BuildResult {
  board: string;
  name: string;
  ok: boolean;
  problems: Problem[];
  violations: (Violation & { source?: string; bundle: "debug" | "minified" })[];
  errors: string[];
  config?: BoardConfig;
  configHash?: string;
  output?: { file: string; debugFile: string; bytes: number; gzipBytes: number; debugBytes: number; code: string; debugCode: string };
  memory?: MemoryEstimate;
  modules?: { path: string; bytes: number }[];
}

export const FIRMWARE_VERSION = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")).version as string;

export async function buildBoard(boardFile: string, options: BuildOptions = {}): Promise<BuildResult> {
  const name = path.basename(boardFile, ".json");
  const loaded = loadBoard(boardFile, { env: options.env, requireSecrets: options.requireSecrets ?? true });
  const result: BuildResult = { board: boardFile, name, ok: false, problems: loaded.problems, violations: [], errors: [] };
  if (!loaded.ok || !loaded.config) return result;
  const config = loaded.config;
  result.config = config;
  result.configHash = configHash(loaded.template!);

  let pass1: esbuild.BuildResult<{ write: false; metafile: true }>;
  try {
    pass1 = await esbuild.build({
      entryPoints: [options.entry ?? ENTRY],
      bundle: true,
      write: false,
      metafile: true,
      outfile: path.join(options.outDir ?? "dist", `${name}.debug.js`),
      format: "iife",
      platform: "neutral",
      mainFields: ["module", "main"],
      target: "esnext",
      supported: PASS1_SUPPORTED,
      sourcemap: "external",
      sourcesContent: false,
      legalComments: "none",
      logLevel: "silent",
      tsconfigRaw: { compilerOptions: { useDefineForClassFields: false, verbatimModuleSyntax: true } },
      define: {
        ...featureDefines(featuresOf(config)),
        SENSORNODE_CONFIG: JSON.stringify(config),
        SENSORNODE_VERSION: JSON.stringify(FIRMWARE_VERSION),
        SENSORNODE_CONFIG_HASH: JSON.stringify(result.configHash),
      },
      plugins: [noNodeBuiltins(), boardDrivers(config), generated("sensornode:plan", () => planModule(planNode(config, FIRMWARE_VERSION)))],
    });
  } catch (error) {
    const failure = error as esbuild.BuildFailure;
    result.errors = (failure.errors ?? [{ text: String(error) }]).map((e) => (e.location ? `${e.location.file}:${e.location.line}:${e.location.column + 1} ${e.text}` : e.text));
    return result;
  }
  const debugFile = pass1.outputFiles.find((f) => f.path.endsWith(".js"))!;
  const mapFile = pass1.outputFiles.find((f) => f.path.endsWith(".map"));
  const debugCode = debugFile.text;
  const map = mapFile ? new TraceMap(mapFile.text) : undefined;
  for (const violation of checkDialect(debugCode)) {
    result.violations.push({ ...violation, bundle: "debug", source: map ? sourceOf(map, violation, path.dirname(debugFile.path)) : undefined });
  }
  if (result.violations.length > 0) return result;

  let code: string;
  try {
    code = await minifyUnwrapped(debugCode);
  } catch (error) {
    result.errors = [String((error as Error).message ?? error)];
    return result;
  }
  for (const violation of checkDialect(code)) result.violations.push({ ...violation, bundle: "minified" });
  if (result.violations.length > 0) return result;

  const outDir = options.outDir ?? path.join(ROOT, "dist");
  const file = path.join(outDir, `${name}.js`);
  const debugPath = path.join(outDir, `${name}.debug.js`);
  if (options.write !== false) {
    fs.mkdirSync(outDir, { recursive: true });
    // The bundles hold the resolved secrets (the board needs them): readable by the owner only.
    fs.writeFileSync(file, code, { mode: 0o600 });
    fs.writeFileSync(debugPath, debugCode, { mode: 0o600 });
    fs.chmodSync(file, 0o600);
    fs.chmodSync(debugPath, 0o600);
  }
  result.output = {
    file,
    debugFile: debugPath,
    bytes: Buffer.byteLength(code),
    gzipBytes: zlib.gzipSync(code, { level: 9 }).length,
    debugBytes: Buffer.byteLength(debugCode),
    code,
    debugCode,
  };
  result.modules = moduleSizes(pass1.metafile);
  result.memory = estimateMemory(code, config.board);
  result.ok = true;
  return result;
}

/**
 * Names Espruino defines as globals that a minified top-level name could take: `E`, and the
 * pin names (D0..D40 on ESP32, D0..D16 and A0 on ESP8266). Only 1-2 character names matter:
 * esbuild hands out 3-character names only past ~4,000 symbols.
 */
export const ESPRUINO_SHORT_GLOBALS = ["E", ...Array.from({ length: 41 }, (_, i) => `D${i}`), ...Array.from({ length: 8 }, (_, i) => `A${i}`)];

/**
 * Minifies the debug bundle WITHOUT its `(() => { ... })()` wrapper: the bundle's top level
 * runs in Espruino's global scope.
 *
 * Why (measured on Espruino 2v29 from flash, ESP8266 memory model): a function keeps its
 * scope chain, and one created inside another function gets a fresh array of ALL its
 * enclosing scopes. Inside the wrapper, every function of the firmware is one level deeper:
 * a top-level function cost 5 variables (0 params) instead of 4, and a closure made by a
 * factory such as createNode 9 instead of 6 (an Array(2) of scopes per closure). The door
 * board makes ~130 such closures at boot: the wrapper alone cost ~480 of its 1,600 variables.
 *
 * The top-level names are still minified (format "esm": module scope, no import/export is
 * emitted). Espruino's own short globals are reserved by referencing them in a first
 * statement, which esbuild then never hands out as names, and which is removed again.
 */
async function minifyUnwrapped(debugCode: string): Promise<string> {
  const ast = parse(debugCode, { ecmaVersion: "latest", sourceType: "script" }) as unknown as {
    body: { type: string; expression?: { type: string; arguments: unknown[]; callee: { type: string; params: unknown[]; body: { type: string; start: number; end: number } } } }[];
  };
  const call = ast.body.length === 1 && ast.body[0]!.type === "ExpressionStatement" ? ast.body[0]!.expression : undefined;
  const callee = call && call.type === "CallExpression" && call.arguments.length === 0 ? call.callee : undefined;
  if (!callee || callee.type !== "ArrowFunctionExpression" || callee.params.length > 0 || callee.body.type !== "BlockStatement") {
    throw new Error("build: the readable bundle is not one `(() => { ... })()`; tools/build.ts cannot unwrap it for the board (was pass 1's format changed?)");
  }
  const body = inlineConstants(debugCode.slice(callee.body.start + 1, callee.body.end - 1)).code;
  const reserve = ESPRUINO_SHORT_GLOBALS.join(",");
  const minified = await esbuild.transform(`${reserve};\n${body}`, {
    minify: true,
    format: "esm",
    // Drops the top-level functions that only a left-out feature used (hal/features.d.ts).
    treeShaking: true,
    target: "esnext",
    supported: ESPRUINO_SUPPORTED,
    legalComments: "none",
    charset: "ascii",
  });
  if (!minified.code.startsWith(`${reserve};`)) {
    throw new Error("build: esbuild moved the statement that reserves Espruino's global names (tools/build.ts minifyUnwrapped); the bundle was not written");
  }
  // Boot-only functions are released once the boot has run (tools/boot-only.ts).
  return releaseBootOnly(minified.code.slice(reserve.length + 1)).code;
}

/**
 * Identifies a build (firmware version + config) without revealing anything: it hashes the
 * config as written, with secrets still as their "${NAME}", never the resolved values.
 */
function configHash(template: BoardConfig): string {
  return crypto.createHash("sha256").update(FIRMWARE_VERSION).update(JSON.stringify(template)).digest("hex").slice(0, 12);
}

function sourceOf(map: TraceMap, violation: Violation, outDir: string): string | undefined {
  const position = originalPositionFor(map, { line: violation.line, column: violation.column - 1 });
  if (!position.source) return undefined;
  return `${path.relative(process.cwd(), path.resolve(outDir, position.source))}:${position.line}:${(position.column ?? 0) + 1}`;
}

function moduleSizes(metafile: esbuild.Metafile): { path: string; bytes: number }[] {
  const output = Object.values(metafile.outputs).find((o) => o.entryPoint !== undefined) ?? Object.values(metafile.outputs)[0]!;
  return Object.entries(output.inputs)
    .map(([input, info]) => ({ path: input, bytes: info.bytesInOutput }))
    .sort((a, b) => b.bytes - a.bytes);
}

/** The build-time feature switches (hal/features.d.ts), each on only when the board uses it. */
export interface Features {
  filters: boolean;
  oneWire: boolean;
  analog: boolean;
  tls: boolean;
  qos2: boolean;
  unsubscribe: boolean;
  sleep: boolean;
  outputs: boolean;
}

export const ALL_FEATURES: Features = { filters: true, oneWire: true, analog: true, tls: true, qos2: true, unsubscribe: true, sleep: true, outputs: true };

/** Which features this board uses; everything else is left out of its bundle. */
export function featuresOf(config: BoardConfig): Features {
  const sensors = config.sensors ?? [];
  return {
    filters: planNode(config, FIRMWARE_VERSION).measurements.some((m) => m.filter !== undefined),
    oneWire: (config.onewire ?? []).length > 0 || sensors.some((s) => s.type === "ds18b20"),
    analog: sensors.some((s) => s.type === "analog"),
    tls: !!config.mqtt.tls,
    // The node application publishes and subscribes at QoS 0/1 and never unsubscribes
    // (firmware/node.ts, forward.ts): no board needs these parts of the MQTT client.
    qos2: false,
    unsubscribe: false,
    sleep: !!config.sleep,
    outputs: (config.outputs ?? []).length > 0,
  };
}

/** esbuild `define` entries: SENSORNODE_FEATURES.<name> -> true | false. */
export function featureDefines(features: Features): Record<string, string> {
  const defines: Record<string, string> = {};
  for (const [name, on] of Object.entries(features)) defines[`SENSORNODE_FEATURES.${name}`] = on ? "true" : "false";
  return defines;
}

/** Which driver file serves each board entry (hal/drivers/<file>.ts, each exporting `create`). */
export const DRIVER_FILES: Record<string, string> = {
  bme280: "bme280",
  bmp280: "bmp280",
  sht3x: "sht3x",
  bh1750: "bh1750",
  aht20: "aht20",
  ds18b20: "ds18b20",
  analog: "analog-input",
  input: "digital-input",
  output: "digital-output",
};

/** The driver kinds a board uses: its sensor types, plus inputs and outputs when it has them. */
export function driversOf(config: BoardConfig): string[] {
  const kinds = (config.sensors ?? []).map((s) => s.type as string);
  if ((config.inputs ?? []).length > 0) kinds.push("input");
  if ((config.outputs ?? []).length > 0) kinds.push("output");
  return kinds.filter((kind, i) => kinds.indexOf(kind) === i).sort();
}

/**
 * The virtual module "sensornode:drivers": `export const drivers = { sht3x: create, ... }`
 * with only the drivers this board uses, so the others never reach its bundle.
 */
function boardDrivers(config: BoardConfig): esbuild.Plugin {
  return {
    name: "board-drivers",
    setup(build) {
      build.onResolve({ filter: /^sensornode:drivers$/ }, () => ({ path: "sensornode:drivers", namespace: "board-drivers" }));
      build.onLoad({ filter: /.*/, namespace: "board-drivers" }, () => {
        const kinds = driversOf(config);
        const imports = kinds.map((kind, i) => `import { create as driver${i} } from ${JSON.stringify(path.join(ROOT, "hal", "drivers", `${DRIVER_FILES[kind]}.ts`))};`);
        const entries = kinds.map((kind, i) => `${JSON.stringify(kind)}: driver${i}`);
        return { contents: `${imports.join("\n")}\nexport const drivers = { ${entries.join(", ")} };\n`, loader: "js", resolveDir: ROOT };
      });
    },
  };
}

/** A module the build writes from the board config (plain JS, gated like everything else). */
function generated(name: string, contents: () => string): esbuild.Plugin {
  return {
    name,
    setup(build) {
      build.onResolve({ filter: new RegExp(`^${name}$`) }, () => ({ path: name, namespace: "generated" }));
      build.onLoad({ filter: /.*/, namespace: "generated" }, (args) => (args.path === name ? { contents: contents(), loader: "js", resolveDir: ROOT } : undefined));
    },
  };
}

/** Firmware must not import Node: fail with a sentence, not esbuild's "could not resolve". */
function noNodeBuiltins(): esbuild.Plugin {
  return {
    name: "no-node-builtins",
    setup(build) {
      build.onResolve({ filter: /^(node:|fs$|path$|net$|tls$|os$|crypto$|events$|buffer$|stream$|util$|child_process$)/ }, (args) => ({
        errors: [{ text: `"${args.path}" is a Node module; firmware runs on Espruino. Platform access goes through hal/ (adapters in hal/espruino/).` }],
      }));
    },
  };
}
