// Command line: `npx sensornode <command>`. Every command has --help; errors are sentences
// that name the file and the fix, never stack traces.
import fs from "node:fs";
import path from "node:path";
import { Command, CommanderError } from "commander";
import Table from "cli-table3";
import { checkFleet, formatProblem, isBoardFile, loadBoard, type Problem } from "./config";
import { buildBoard, FIRMWARE_VERSION, type BuildResult } from "./build";
import { formatViolation } from "./gate";

interface Output {
  out(text: string): void;
  err(text: string): void;
}

const console_: Output = { out: (t) => process.stdout.write(`${t}\n`), err: (t) => process.stderr.write(`${t}\n`) };

export async function main(argv: string[], io: Output = console_): Promise<number> {
  let code = 0;
  const program = new Command()
    .name("sensornode")
    .description("Firmware for MQTT sensor nodes on Espruino (ESP32, ESP8266, Linux) and a simulator that runs it.")
    .version(FIRMWARE_VERSION)
    .showHelpAfterError("(run with --help for usage)")
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) });

  program
    .command("validate")
    .description("Check board files and explain every mistake: file, line, JSON path, what is wrong, what would be right.")
    .argument("<boards...>", "board files, e.g. boards/*.json (schema.json and secrets.json are skipped)")
    .option("--json", "print the problems as JSON, one object per line")
    .addHelpText("after", "\nExit code: 0 when every board is valid (warnings allowed), 1 otherwise.\nExample: npx sensornode validate boards/*.json")
    .action((boards: string[], options: { json?: boolean }) => {
      code = validate(boards, options, io);
    });

  program
    .command("build")
    .description("Build firmware: dist/<board>.js (minified, for the board) and dist/<board>.debug.js, with a size and memory report.")
    .argument("<boards...>", "board files, e.g. boards/greenhouse.json")
    .option("-o, --out <dir>", "output folder", "dist")
    .option("--modules", "also list the bytes each source module adds")
    .option("--json", "print one JSON report per board")
    .addHelpText(
      "after",
      "\nSecrets written as \"${NAME}\" in a board file come from the environment or boards/secrets.json.\nThe build fails when the bundle uses anything Espruino cannot run (see design.md §3).\nExample: WIFI_PASSWORD=... npx sensornode build boards/door.json",
    )
    .action(async (boards: string[], options: { out: string; modules?: boolean; json?: boolean }) => {
      code = await build(boards, options, io);
    });

  program
    .command("start")
    .description("Embedded broker + simulated nodes from boards/*.json + live view (arrives with the simulator; builds the boards for now).")
    .action(async () => {
      io.err("sensornode start: the simulator is not built yet (issue 6). Building every board instead (missing secrets left as placeholders).");
      code = await build(listBoards("boards"), { out: "dist", allowMissingSecrets: true }, io);
    });

  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    throw error;
  }
  return code;
}

function listBoards(folder: string): string[] {
  if (!fs.existsSync(folder)) return [];
  return fs.readdirSync(folder).filter(isBoardFile).sort().map((f) => path.join(folder, f));
}

function boardFiles(args: string[], io: Output): string[] {
  const files: string[] = [];
  for (const arg of args) {
    if (fs.existsSync(arg) && fs.statSync(arg).isDirectory()) files.push(...listBoards(arg));
    else if (isBoardFile(arg)) files.push(arg);
    else if (!arg.endsWith(".json")) io.err(`${arg}: not a board file (expected a .json file or a folder of them)`);
  }
  return files;
}

function validate(args: string[], options: { json?: boolean }, io: Output): number {
  const files = boardFiles(args, io);
  if (files.length === 0) {
    io.err("validate: no board files given (example: npx sensornode validate boards/*.json)");
    return 1;
  }
  const boards = files.map((file) => loadBoard(file, { requireSecrets: false }));
  const problems: Problem[] = boards.flatMap((b) => b.problems).concat(checkFleet(boards));
  const errors = problems.filter((p) => p.severity === "error");
  if (options.json) {
    for (const p of problems) io.out(JSON.stringify(p));
  } else {
    for (const board of boards) {
      const own = problems.filter((p) => p.file === board.file);
      const bad = own.some((p) => p.severity === "error");
      io.out(`${bad ? "✗" : "✓"} ${board.file}${bad ? "" : board.config ? ` (${board.config.node}, ${board.config.board})` : ""}`);
      for (const p of own) io.out(`  ${formatProblem(p).replace(/\n/g, "\n  ")}`);
    }
    const warnings = problems.length - errors.length;
    io.out(`${files.length} board${files.length === 1 ? "" : "s"}: ${errors.length} error${errors.length === 1 ? "" : "s"}, ${warnings} warning${warnings === 1 ? "" : "s"}`);
  }
  return errors.length > 0 ? 1 : 0;
}

async function build(args: string[], options: { out: string; modules?: boolean; json?: boolean; allowMissingSecrets?: boolean }, io: Output): Promise<number> {
  const files = boardFiles(args, io);
  if (files.length === 0) {
    io.err("build: no board files given (example: npx sensornode build boards/greenhouse.json)");
    return 1;
  }
  const results: BuildResult[] = [];
  for (const file of files) {
    if (!options.json) io.err(`building ${file} ...`);
    results.push(await buildBoard(file, { outDir: options.out, requireSecrets: !options.allowMissingSecrets }));
  }
  if (options.json) {
    for (const r of results) io.out(JSON.stringify(jsonReport(r)));
    return results.every((r) => r.ok) ? 0 : 1;
  }
  for (const r of results.filter((r) => !r.ok)) {
    io.out(`✗ ${r.board}: build failed`);
    for (const p of r.problems.filter((p) => p.severity === "error")) io.out(`  ${formatProblem(p).replace(/\n/g, "\n  ")}`);
    for (const e of r.errors) io.out(`  ${e}`);
    for (const v of r.violations) {
      io.out(`  ${formatViolation(v, r.output?.file ?? `dist/${r.name}${v.bundle === "debug" ? ".debug" : ""}.js`).replace(/\n/g, "\n  ")}${v.source ? `\n    from ${v.source}` : ""}`);
    }
  }
  const built = results.filter((r) => r.ok);
  if (built.length > 0) io.out(sizeTable(built));
  if (options.modules) for (const r of built) io.out(moduleTable(r));
  return built.length === results.length ? 0 : 1;
}

const n = (value: number) => value.toLocaleString("en-US");

function sizeTable(results: BuildResult[]): string {
  const table = new Table({
    head: ["board", "kind", "output", "bytes", "gzip", "vars from flash", "vars, RAM upload (peak)", "budget"],
    style: { head: [], border: [] },
    colAligns: ["left", "left", "left", "right", "right", "right", "right", "right"],
  });
  for (const r of results) {
    const m = r.memory!;
    const pct = (v: number) => `${Math.round((100 * v) / m.budget.total)}%`;
    table.push([
      r.config!.node,
      r.config!.board,
      path.relative(process.cwd(), r.output!.file),
      n(r.output!.bytes),
      n(r.output!.gzipBytes),
      `${n(m.fromFlash)} (${pct(m.fromFlash)})`,
      `${n(m.fromRam)} (${n(m.peakRamUpload)})${m.peakRamUpload > m.budget.total ? " TOO BIG" : ""}`,
      n(m.budget.total),
    ]);
  }
  return `${table.toString()}\nvars: estimated JS variables after boot (tools/memory.ts; run-time objects not included). Flash upload is what \`sensornode flash\` does.`;
}

function moduleTable(result: BuildResult): string {
  const table = new Table({ head: [`${result.name}: module`, "bytes (readable bundle)"], style: { head: [], border: [] }, colAligns: ["left", "right"] });
  for (const m of result.modules ?? []) table.push([m.path, n(m.bytes)]);
  return table.toString();
}

function jsonReport(r: BuildResult) {
  return {
    board: r.board,
    ok: r.ok,
    node: r.config?.node,
    kind: r.config?.board,
    configHash: r.configHash,
    output: r.output ? { file: r.output.file, debugFile: r.output.debugFile, bytes: r.output.bytes, gzipBytes: r.output.gzipBytes } : undefined,
    memory: r.memory ? { fromFlash: r.memory.fromFlash, fromRam: r.memory.fromRam, peakRamUpload: r.memory.peakRamUpload, budget: r.memory.budget.total } : undefined,
    problems: r.problems,
    violations: r.violations,
    errors: r.errors,
  };
}
