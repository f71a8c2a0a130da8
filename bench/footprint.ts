// Figure 1: footprint per example board. The whole bundle is built exactly as
// `sensornode build` builds it (tools/build.ts); its memory is estimated by tools/memory.ts.
//
// Per module group: esbuild's readable bundle marks where each source module starts
// (`// firmware/mqtt/client.ts`). The bench cuts that bundle at those marks, joins the
// pieces of one group, wraps them in a function, minifies that alone with the same
// settings and estimates its variables with the same estimator (minus the interpreter's
// baseline). Names a group uses from other groups are not shortened in that separate
// minification, so the groups' sum comes out somewhat above the whole bundle: the table
// shows both, so the error is visible.
import path from "node:path";
import fs from "node:fs";
import zlib from "node:zlib";
import * as esbuild from "esbuild";
import { parse } from "acorn";
import { buildBoard, ESPRUINO_SUPPORTED, ROOT } from "../tools/build";
import { estimateMemory } from "../tools/memory";
import type { BoardKind } from "../boards/schema";

export interface GroupSize {
  group: string;
  bytes: number;
  gzip: number;
  fromFlash: number;
  fromRam: number;
}

export interface BoardFootprint {
  board: string;
  node: string;
  kind: BoardKind;
  bytes: number;
  gzip: number;
  fromFlash: number;
  fromRam: number;
  peakRamUpload: number;
  budget: number;
  groups: GroupSize[];
}

/** Placeholder secrets of a typical length: they are baked into the bundle, so their length counts. */
const SECRETS = { WIFI_PASSWORD: "wifi-pass-12", MQTT_PASSWORD: "mqtt-pass-12" };

export function groupOf(module: string): string {
  if (module.startsWith("firmware/mqtt/")) return "MQTT client (firmware/mqtt/**)";
  if (module === "firmware/buffer.ts") return "buffer (firmware/buffer.ts)";
  if (module.startsWith("firmware/")) return "node app (other firmware/*)";
  const driver = /^hal\/drivers\/([a-z0-9-]+?)(\.regs)?\.ts$/.exec(module);
  if (driver) return `driver ${driver[1]} (hal/drivers/${driver[1]}*)`;
  if (module.startsWith("hal/espruino/")) return "HAL adapters (hal/espruino/**)";
  if (module.startsWith("hal/")) return "HAL shared helpers (hal/*.ts)";
  return "config/plan data (baked in)";
}

/** Splits esbuild's readable IIFE bundle at its `  // <module>` marks. */
export function splitModules(debugCode: string): { module: string; text: string }[] {
  const lines = debugCode.split("\n");
  const pieces: { module: string; text: string[] }[] = [];
  for (const line of lines.slice(1, -2)) {
    const mark = /^ {2}\/\/ (\S+)$/.exec(line);
    if (mark) pieces.push({ module: mark[1]!, text: [] });
    else if (pieces.length > 0) pieces[pieces.length - 1]!.text.push(line);
  }
  return pieces.map((p) => ({ module: p.module.replace(/^<define:.*>$/, "config"), text: p.text.join("\n") }));
}

/** Names a piece of the bundle declares at its top level (so the minifier keeps them). */
function declaredNames(text: string): string[] {
  const ast = parse(`(function(){\n${text}\n})();`, { ecmaVersion: "latest", sourceType: "script" }) as any;
  const body = ast.body[0].expression.callee.body.body as any[];
  const names: string[] = [];
  for (const statement of body) {
    if (statement.type === "VariableDeclaration") for (const d of statement.declarations) if (d.id.type === "Identifier") names.push(d.id.name);
    if ((statement.type === "FunctionDeclaration" || statement.type === "ClassDeclaration") && statement.id) names.push(statement.id.name);
  }
  return names;
}

async function groupSize(group: string, text: string, kind: BoardKind): Promise<GroupSize> {
  // keep$(...) stands for the rest of the bundle using these names; it is cut out again after minifying.
  const wrapped = `(function(){\n${text}\nkeep$(${declaredNames(text).join(",")});\n})();`;
  const result = await esbuild.transform(wrapped, { minify: true, target: "esnext", supported: ESPRUINO_SUPPORTED, legalComments: "none", charset: "ascii" });
  const minified = { code: result.code.replace(/[;,]?keep\$\([^)]*\)/, "") };
  const empty = await esbuild.transform("(function(){})();", { minify: true, target: "esnext" });
  const memory = estimateMemory(minified.code, kind);
  return {
    group,
    bytes: Buffer.byteLength(minified.code) - Buffer.byteLength(empty.code),
    gzip: zlib.gzipSync(minified.code, { level: 9 }).length - zlib.gzipSync(empty.code, { level: 9 }).length,
    fromFlash: memory.fromFlash - memory.budget.baseline,
    fromRam: memory.fromRam - memory.budget.baseline,
  };
}

export async function measureBoard(file: string): Promise<BoardFootprint> {
  const built = await buildBoard(file, { write: false, requireSecrets: true, env: { ...process.env, ...SECRETS } });
  if (!built.ok || !built.output || !built.memory) throw new Error(`${file} does not build: ${[...built.errors, ...built.problems.map((p) => p.message)].join("; ")}`);
  const kind = built.config!.board;
  const pieces = splitModules(built.output.debugCode);
  const byGroup = new Map<string, string[]>();
  for (const piece of pieces) {
    const group = groupOf(piece.module);
    byGroup.set(group, (byGroup.get(group) ?? []).concat(piece.text));
  }
  const groups: GroupSize[] = [];
  for (const [group, texts] of byGroup) groups.push(await groupSize(group, texts.join("\n"), kind));
  groups.sort((a, b) => b.bytes - a.bytes);
  return {
    board: path.relative(ROOT, path.resolve(file)),
    node: built.config!.node,
    kind,
    bytes: built.output.bytes,
    gzip: built.output.gzipBytes,
    fromFlash: built.memory.fromFlash,
    fromRam: built.memory.fromRam,
    peakRamUpload: built.memory.peakRamUpload,
    budget: built.memory.budget.total,
    groups,
  };
}

/** Baseline for the MQTT client group: mqtt.js's own minified browser bundle. */
export function mqttJsSize(): { bytes: number; gzip: number; file: string } | undefined {
  const file = path.join(ROOT, "node_modules", "mqtt", "dist", "mqtt.min.js");
  if (!fs.existsSync(file)) return undefined;
  const code = fs.readFileSync(file);
  const version = (JSON.parse(fs.readFileSync(path.join(ROOT, "node_modules", "mqtt", "package.json"), "utf8")) as { version: string }).version;
  return { bytes: code.length, gzip: zlib.gzipSync(code, { level: 9 }).length, file: `mqtt@${version} dist/mqtt.min.js` };
}

export function boardFiles(): string[] {
  const folder = path.join(ROOT, "boards");
  return fs
    .readdirSync(folder)
    .filter((f) => f.endsWith(".json") && f !== "schema.json" && f !== "secrets.json")
    .sort()
    .map((f) => path.join(folder, f));
}
