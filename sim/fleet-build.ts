// Builds the bundles a simulation runs: one per board file, or N clones of each board with
// templated node ids (greenhouse-001, greenhouse-002, ...).
//
// Clones: building each clone with esbuild costs ~0.1 s, too slow for a fleet of hundreds.
// So a board is built ONCE with a stand-in node id of the same length as the clone ids
// ("greenhouse-qqq"), and each clone's bundle is that text with the stand-in replaced (and
// the config hash, which covers the node id, recomputed). Same length means any length the
// build precomputed (a packet, a topic) stays right. As a guard, the first clone is also
// built for real and compared, token by token with identifiers left out (the minifier picks
// short names by character frequency, which the id and hash characters shift): if anything
// else differs, every clone is built for real instead.
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { tokenizer, tokTypes } from "acorn";
import type { BoardConfig } from "../boards/schema";
import { buildBoard, FIRMWARE_VERSION, type BuildResult } from "../tools/build";
import { formatProblem, loadBoard } from "../tools/config";
import { formatViolation } from "../tools/gate";

export interface NodeBundle {
  /** Node id (the board's own, or a clone id). */
  id: string;
  file: string;
  config: BoardConfig;
  code: string;
  configHash: string;
}

export class BuildError extends Error {}

const NODE_ID = /^[a-z0-9][a-z0-9_-]{0,31}$/;

/** Node id of clone `index` (1-based) of `base` in a fleet of `count`: greenhouse-001. */
export function cloneId(base: string, index: number, count: number): string {
  const digits = Math.max(3, String(count).length);
  return `${base}-${String(index).padStart(digits, "0")}`;
}

export async function buildFleet(files: string[], options: { nodes?: number; progress?: (line: string) => void; /** Firmware entry (tests use stand-ins). */ entry?: string } = {}): Promise<NodeBundle[]> {
  const bundles: NodeBundle[] = [];
  const count = options.nodes;
  for (const file of files) {
    const loaded = loadBoard(file, { requireSecrets: false });
    if (!loaded.ok || !loaded.config || !loaded.template) {
      const errors = loaded.problems.filter((p) => p.severity === "error").map((p) => formatProblem(p));
      throw new BuildError(`${file} is not a valid board file:\n  ${errors.join("\n  ")}\nFix it (npx sensornode validate ${file} explains each mistake) and run again.`);
    }
    const base = loaded.config.node;
    if (count === undefined) {
      options.progress?.(`building ${file} ...`);
      const built = check(await buildBoard(file, { write: false, requireSecrets: false, entry: options.entry }));
      bundles.push({ id: base, file, config: built.config!, code: built.output!.code, configHash: built.configHash! });
      continue;
    }
    const ids = Array.from({ length: count }, (_, i) => cloneId(base, i + 1, count));
    if (!NODE_ID.test(ids[ids.length - 1]!)) throw new BuildError(`${file}: clone ids such as "${ids[ids.length - 1]}" are longer than 32 characters; shorten the node id "${base}".`);
    options.progress?.(`building ${file} for ${count} node${count === 1 ? "" : "s"} (${ids[0]}${count > 1 ? ` .. ${ids[count - 1]}` : ""}) ...`);
    const standIn = `${base}-${"q".repeat(ids[0]!.length - base.length - 1)}`;
    const raw = JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, unknown>;
    const template = await buildClone(file, raw, standIn, options.entry);
    const first = await buildClone(file, raw, ids[0]!, options.entry);
    // the id also appears with "_" for "-" (Home Assistant unique ids)
    const underscored = (id: string) => id.split("-").join("_");
    const substitute = (id: string) =>
      template.output!.code.split(standIn).join(id).split(underscored(standIn)).join(underscored(id)).split(template.configHash!).join(hashFor(loaded.template!, id));
    const exact = template.output!.code.includes(standIn) && sameButNames(substitute(ids[0]!), first.output!.code);
    for (const id of ids) {
      if (exact) {
        bundles.push({ id, file, config: patchNode(first.config!, id), code: id === ids[0] ? first.output!.code : substitute(id), configHash: hashFor(loaded.template!, id) });
      } else {
        const built = id === ids[0] ? first : await buildClone(file, raw, id, options.entry);
        bundles.push({ id, file, config: built.config!, code: built.output!.code, configHash: built.configHash! });
      }
    }
  }
  return bundles;
}

/** The same program but for the names of identifiers: the same tokens, literals and punctuation in the same order. */
export function sameButNames(a: string, b: string): boolean {
  const ta = tokenizer(a, { ecmaVersion: "latest" });
  const tb = tokenizer(b, { ecmaVersion: "latest" });
  for (;;) {
    const x = ta.getToken();
    const y = tb.getToken();
    if (x.type !== y.type) return false;
    if (x.type === tokTypes.eof) return true;
    if (x.type !== tokTypes.name && (x.type === tokTypes.regexp ? a.slice(x.start, x.end) !== b.slice(y.start, y.end) : (x as { value?: unknown }).value !== (y as { value?: unknown }).value)) return false;
  }
}

/** Builds `file` with its node id replaced, from a copy next to a copy of its secrets.json. */
async function buildClone(file: string, raw: Record<string, unknown>, id: string, entry: string | undefined): Promise<BuildResult> {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), "sensornode-clone-"));
  try {
    const copy = path.join(folder, path.basename(file));
    fs.writeFileSync(copy, JSON.stringify(patchNode(raw, id)));
    const secrets = path.join(path.dirname(file), "secrets.json");
    if (fs.existsSync(secrets)) fs.copyFileSync(secrets, path.join(folder, "secrets.json"));
    const built = check(await buildBoard(copy, { write: false, requireSecrets: false, entry }));
    built.board = file;
    return built;
  } finally {
    fs.rmSync(folder, { recursive: true, force: true });
  }
}

/** The board with another node id; an explicit client id gets the node id appended, or every clone would kick the others off the broker. */
function patchNode<T extends object>(board: T, id: string): T {
  const mqtt = (board as { mqtt?: Record<string, unknown> }).mqtt;
  return { ...board, node: id, mqtt: mqtt && typeof mqtt.clientId === "string" ? { ...mqtt, clientId: `${mqtt.clientId}-${id}` } : mqtt };
}

/** Same as tools/build.ts's configHash: version + the config as written (secrets unresolved). */
function hashFor(template: BoardConfig, id: string): string {
  return crypto.createHash("sha256").update(FIRMWARE_VERSION).update(JSON.stringify(patchNode(template, id))).digest("hex").slice(0, 12);
}

function check(built: BuildResult): BuildResult {
  if (built.ok && built.output) return built;
  const lines = [
    ...built.problems.filter((p) => p.severity === "error").map((p) => formatProblem(p)),
    ...built.errors,
    ...built.violations.map((v) => `${formatViolation(v, `${built.name}${v.bundle === "debug" ? ".debug" : ""}.js`)}${v.source ? `\n    from ${v.source}` : ""}`),
  ];
  throw new BuildError(`${built.board}: the firmware does not build, so there is nothing to simulate:\n  ${lines.join("\n  ").replace(/\n(?! {2})/g, "\n  ")}\nRun npx sensornode build ${built.board} to see the full report, fix the firmware and run again.`);
}
