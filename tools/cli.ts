// Command line: `npx sensornode <command>`. Every command has --help; errors are sentences
// that name the file and the fix, never stack traces.
import path from "node:path";
import { Command, CommanderError, InvalidArgumentError } from "commander";
import Table from "cli-table3";
import { boardFiles, checkFleet, formatProblem, loadBoard, type Problem } from "./config";
import { buildBoard, FIRMWARE_VERSION, type BuildResult } from "./build";
import { formatViolation } from "./gate";
import { flash, progressBar } from "./flash";
import { runConsole } from "./console";
import { registerSimCommands } from "./sim";

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

  // sim and start (npm start): the simulator (tools/sim.ts)
  registerSimCommands(program, io, (result) => (code = result));

  program
    .command("bench")
    .description("Run the benchmarks (bench/run.ts): print the tables and write bench/RESULTS.md. Reports only, never asserts.")
    .argument("[figures...]", "only these figures: footprint, wire, accelerated, recovery (default: all)")
    .action(async (figures: string[]) => {
      const { runBench } = await import("../bench/run");
      code = await runBench(figures);
    });

  program
    .command("flash")
    .description("Build a board and put it on the board's flash so it runs at every boot; then check that the board boots exactly this build.")
    .argument("<board>", "board file, e.g. boards/greenhouse.json")
    .option("-p, --port <port>", "serial port (/dev/ttyUSB0, COM3) or tcp://<board address>[:port] (Espruino's telnet console, port 23)")
    .option("-b, --baud <rate>", "serial baud rate (Espruino on ESP32/ESP8266 uses 115200)", parseNumber, 115200)
    .option("--dry-run [file]", "write exactly what would be sent to a file (default <out>/<board>.upload.js) and send nothing")
    .option("--no-verify", "do not wait for the boot line")
    .option("--timeout <seconds>", "how long to wait for the port, for upload progress and for the boot line", parseNumber, 30)
    .option("-o, --out <dir>", "build output folder", "dist")
    .option("-v, --verbose", "also print EspruinoTools' own log")
    .addHelpText(
      "after",
      [
        "",
        "The firmware is stored as the Storage file .bootcde (replacing what was there) and runs at every boot;",
        "flash then waits for the board's first line, \"sensornode <version> config <hash>: node <id> on <kind>\",",
        "and fails unless version and config hash are this build's.",
        "Secrets written as \"${NAME}\" come from the environment or boards/secrets.json and are never printed.",
        "The --dry-run file holds the firmware WITH its secrets resolved (it is what goes on the board): it is",
        "written with mode 0600; keep it private.",
        "Exit code: 0 when the board boots this build, 1 otherwise (the message names the fix), 2 for usage errors.",
        "Examples:",
        "  npx sensornode flash boards/door.json --port /dev/ttyUSB0",
        "  npx sensornode flash boards/greenhouse.json --port tcp://192.168.1.50",
        "  npx sensornode flash boards/door.json --dry-run",
      ].join("\n"),
    )
    .action(async (board: string, options: { port?: string; baud: number; dryRun?: string | boolean; verify: boolean; timeout: number; out: string; verbose?: boolean }) => {
      const name = path.basename(board, ".json");
      const dryRun = options.dryRun === true ? path.join(options.out, `${name}.upload.js`) : options.dryRun || undefined;
      const outcome = await flash(
        board,
        { port: options.port, baud: options.baud, dryRun, verify: options.verify, timeout: options.timeout, outDir: options.out, verbose: options.verbose },
        { out: io.out, err: io.err, progress: io === console_ ? progressBar(process.stderr) : undefined },
      );
      code = outcome.code;
    });

  program
    .command("console")
    .description("Open a board's console: its log and the Espruino REPL (type JavaScript, see the answer).")
    .requiredOption("-p, --port <port>", "serial port (/dev/ttyUSB0) or tcp://<board address>[:port]")
    .option("-b, --baud <rate>", "serial baud rate", parseNumber, 115200)
    .option("--timeout <seconds>", "how long to wait for the port to open", parseNumber, 10)
    .addHelpText(
      "after",
      "\nCtrl-C goes to the board (it stops running code); Ctrl-C twice in a row or Ctrl-] leaves.\nPiped input is sent line by line; the console closes once the board is quiet after it.\nExamples:\n  npx sensornode console --port /dev/ttyUSB0\n  echo 'process.memory()' | npx sensornode console --port tcp://192.168.1.50",
    )
    .action(async (options: { port: string; baud: number; timeout: number }) => {
      code = await runConsole(options, { input: process.stdin, output: process.stdout, err: io.err });
    });

  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    throw error;
  }
  return code;
}

function parseNumber(value: string): number {
  const number = Number(value);
  if (!Number.isFinite(number) || number <= 0) throw new InvalidArgumentError(`expected a positive number, not "${value}"`);
  return number;
}


function validate(args: string[], options: { json?: boolean }, io: Output): number {
  const files = boardFiles(args, (text) => io.err(text));
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
  const files = boardFiles(args, (text) => io.err(text));
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
  for (const r of built) {
    const m = r.memory!;
    if (m.fromFlash > m.budget.total) {
      io.err(
        `warning: ${r.config!.node} (${r.config!.board}) is estimated at ${n(m.fromFlash)} JS variables after boot from flash, over the board's ${n(m.budget.total)}: it will run out of memory on the board. Fewer sensors or features, or an ESP32.`,
      );
    }
  }
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
      `${n(m.fromFlash)} (${pct(m.fromFlash)})${m.fromFlash > m.budget.total ? " TOO BIG" : ""}`,
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
