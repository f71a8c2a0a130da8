// `sensornode flash`: build a board, upload the bundle into the board's flash so it runs at
// every boot, and prove the board now runs exactly this build.
//
// - Always builds: esbuild takes well under a second, and an mtime check would miss what
//   also changes the bundle (a secret in the environment, package.json's version, tools/).
// - Uploads through EspruinoTools (tools/espruino-driver.ts) with SAVE_ON_SEND=1: the code is
//   written as Storage ".bootcde" in 1 KB chunks, replacing the old file, then load() boots
//   it. Code run from flash costs far fewer JS variables than code sent into RAM (design §3).
// - Verifies: the first line the firmware prints is
//   "sensornode <version> config <hash>: node <id> on <kind>" (firmware/config.ts), and both
//   the version and the 12-hex config hash are known here, at build time.
import fs from "node:fs";
import path from "node:path";
import { buildBoard, FIRMWARE_VERSION, type BuildResult } from "./build";
import { formatProblem } from "./config";
import { formatViolation } from "./gate";
import { boardEnv, describePortError, DriverLink, type DriverMessage } from "./espruino-link";

export interface FlashOptions {
  /** /dev/ttyUSB0 or tcp://host[:port] (telnet, port 23 by default). */
  port?: string;
  baud?: number;
  /** Write the exact upload bytes to this file instead of connecting. */
  dryRun?: string;
  /** Check the boot line (default true). */
  verify?: boolean;
  /** Seconds to wait for the port, for upload progress, and for the boot line. */
  timeout?: number;
  outDir?: string;
  env?: Record<string, string | undefined>;
  verbose?: boolean;
  /** Firmware entry (tests); default firmware/main.ts. */
  entry?: string;
}

export interface FlashIo {
  out(text: string): void;
  err(text: string): void;
  /** Called as bytes go to the port (the progress bar). */
  progress?(sent: number, total: number): void;
}

export interface FlashOutcome {
  code: number;
  build?: BuildResult;
  /** What the board printed from load() on, one entry per line (boot line first). */
  bootOutput?: string[];
  /** Everything the board sent during the session (latin1). */
  transcript?: string;
  bytes?: number;
}

/** The boot line, as firmware/config.ts configSummary() prints it. */
export const BOOT_LINE = /sensornode (\S+) config ([0-9a-f]{12}): node (\S+) on (\S+)/;

export async function flash(boardFile: string, options: FlashOptions, io: FlashIo): Promise<FlashOutcome> {
  const timeoutMs = (options.timeout ?? 30) * 1000;
  if (!options.port && options.dryRun === undefined) {
    io.err("flash: no port given.\n  fix: --port /dev/ttyUSB0 (USB serial) or --port tcp://<board address> (Espruino's telnet console), or --dry-run to write the upload to a file");
    return { code: 2 };
  }
  io.err(`building ${boardFile} ...`);
  const build = await buildBoard(boardFile, { outDir: options.outDir ?? "dist", env: options.env, requireSecrets: true, entry: options.entry });
  if (!build.ok) {
    io.err(`✗ ${boardFile}: build failed, nothing was flashed`);
    for (const p of build.problems.filter((p) => p.severity === "error")) io.err(`  ${formatProblem(p).replace(/\n/g, "\n  ")}`);
    for (const e of build.errors) io.err(`  ${e}`);
    for (const v of build.violations) io.err(`  ${formatViolation(v, build.output?.file ?? `dist/${build.name}.js`).replace(/\n/g, "\n  ")}`);
    return { code: 1, build };
  }
  const config = build.config!;
  const file = path.resolve(build.output!.file);
  const port = options.port ?? "";
  const board = boardEnv(config.board, port);

  if (options.dryRun !== undefined) {
    const link = new DriverLink({ mode: "dry-run", board, file });
    const payload = await new Promise<string | undefined>((resolve) => {
      link.on("message", (m: DriverMessage) => {
        if (m.type === "payload") resolve(m.data);
      });
      void link.exited.then(() => resolve(undefined));
    });
    link.kill();
    if (payload === undefined) {
      io.err(`flash: EspruinoTools did not produce the upload (its log: ${link.log.slice(-3).join(" | ")})`);
      return { code: 1, build };
    }
    const target = options.dryRun;
    fs.mkdirSync(path.dirname(path.resolve(target)), { recursive: true });
    fs.writeFileSync(target, Buffer.from(payload, "latin1"), { mode: 0o600 });
    fs.chmodSync(target, 0o600); // an existing file keeps its mode on write
    io.out(`dry run: wrote ${payload.length.toLocaleString("en-US")} bytes to ${target} (mode 0600): exactly what flash sends once the board shows its prompt.`);
    io.out("  It holds the firmware with its secrets resolved (it is what goes on the board): keep it private. Nothing was sent.");
    return { code: 0, build, bytes: payload.length };
  }

  return upload(build, file, port, board, { ...options, timeoutMs }, io);
}

async function upload(build: BuildResult, file: string, port: string, board: Record<string, unknown>, options: FlashOptions & { timeoutMs: number }, io: FlashIo): Promise<FlashOutcome> {
  const config = build.config!;
  const link = new DriverLink({ mode: "upload", port, baud: options.baud ?? 115200, board, file });
  let transcript = "";
  let afterUpload: number | undefined;
  let total = 0;
  let sent = 0;
  const started = Date.now();
  io.err(`uploading ${build.output!.bytes.toLocaleString("en-US")} bytes of firmware to ${port} (saved to flash as .bootcde) ...`);

  const result = await new Promise<{ code: number; message?: string; boot?: string[] }>((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    let settle: NodeJS.Timeout | undefined;
    let bootLineAt: number | undefined;
    const arm = (ms: number, message: string) => {
      clearTimeout(timer);
      timer = setTimeout(() => resolve({ code: 1, message }), ms);
    };
    const done = (value: { code: number; message?: string; boot?: string[] }) => {
      clearTimeout(timer);
      clearTimeout(settle);
      resolve(value);
    };
    arm(options.timeoutMs, `no answer from ${port} within ${options.timeoutMs / 1000} s.\n  fix: check the port and that Espruino runs on the board (a board without Espruino says nothing; see "Put Espruino on the board" in the README), or raise --timeout`);

    /** Looks at what the board said since the upload began: a crash, the boot line, the prompt. */
    const examine = () => {
      if (afterUpload === undefined || sent < total) return;
      const lines = cleanLines(transcript.slice(afterUpload));
      const bootIndex = lines.findIndex((l) => BOOT_LINE.test(l));
      const crash = lines.find((l) => l.startsWith("Uncaught"));
      if (options.verify === false) {
        if (transcript.endsWith(">") || crash) done({ code: 0, boot: bootIndex >= 0 ? lines.slice(bootIndex) : [] });
        return;
      }
      if (bootIndex < 0) {
        if (crash) done({ code: 1, message: crashMessage(crash, lines), boot: lines });
        return;
      }
      const boot = lines.slice(bootIndex);
      const match = BOOT_LINE.exec(boot[0]!)!;
      const [, version, hash, node] = match;
      if (hash !== build.configHash || version !== FIRMWARE_VERSION || node !== config.node) {
        done({
          code: 1,
          boot,
          message:
            `the board booted "${boot[0]}", but this build is sensornode ${FIRMWARE_VERSION} config ${build.configHash} (node ${config.node}): the upload did not replace the code saved on the board.\n` +
            "  fix: run flash again; if the board still boots the old code, erase it from `sensornode console` with require(\"Storage\").erase(\".bootcde\") and flash again (README: \"Recover a board\")",
        });
        return;
      }
      const bootCrash = boot.find((l) => l.startsWith("Uncaught"));
      if (bootCrash) {
        done({ code: 1, boot, message: crashMessage(bootCrash, boot) });
        return;
      }
      // The boot line is there: wait for the prompt that ends the boot's synchronous part
      // (a crash right after the boot line shows up before it), at most 2 s.
      if (bootLineAt === undefined) {
        bootLineAt = Date.now();
        settle = setTimeout(() => done({ code: 0, boot: cleanLines(transcript.slice(afterUpload)).slice(bootIndex) }), 2000);
      }
      if (transcript.endsWith(">")) done({ code: 0, boot });
    };

    link.on("message", (m: DriverMessage) => {
      if (m.type === "open") arm(options.timeoutMs, `${port} opened, but the upload did not start within ${options.timeoutMs / 1000} s`);
      if (m.type === "upload") {
        total = m.total;
        afterUpload = transcript.length;
      }
      if (m.type === "progress") {
        sent = m.sent;
        io.progress?.(m.sent, m.total);
        arm(options.timeoutMs, `the upload stalled at ${m.sent} of ${m.total} bytes for ${options.timeoutMs / 1000} s.\n  fix: check the cable / WiFi, then flash again`);
        if (m.sent === m.total) {
          arm(options.timeoutMs, `the upload finished, but the board did not print its boot line ("sensornode ${FIRMWARE_VERSION} config ${build.configHash}: ...") within ${options.timeoutMs / 1000} s.\n  fix: look at its output with \`sensornode console --port ${port}\`, or raise --timeout`);
        }
        examine();
      }
      if (m.type === "data") {
        transcript += m.data;
        examine();
      }
      if (m.type === "error") done({ code: 1, message: describePortError(port, m.code, m.message) });
      if (m.type === "closed") done({ code: 1, message: `${port} closed the connection during the upload.\n  fix: flash again; on WiFi, check the board's signal` });
    });
    void link.exited.then((code) => {
      if (code !== 0) done({ code: 1, message: `EspruinoTools stopped (exit code ${code}): ${link.log.slice(-3).join(" | ")}` });
    });
  });
  await link.close();
  if (options.verbose) for (const line of link.log) io.err(`espruino: ${line}`);
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (result.code !== 0) {
    io.err(`✗ flash ${build.board} to ${port}: ${result.message}`);
    if (result.boot && result.boot.length > 0) io.err(`  the board said:\n    ${result.boot.join("\n    ")}`);
    return { code: 1, build, transcript, bootOutput: result.boot, bytes: total };
  }
  for (const line of result.boot ?? []) io.out(`  board: ${line}`);
  io.out(
    options.verify === false
      ? `✓ ${build.board}: ${total.toLocaleString("en-US")} bytes sent to ${port} in ${seconds} s (not verified: --no-verify)`
      : `✓ ${build.board}: flashed to ${port} in ${seconds} s; the board boots sensornode ${FIRMWARE_VERSION} config ${build.configHash} (node ${config.node} on ${config.board})`,
  );
  return { code: 0, build, transcript, bootOutput: result.boot, bytes: total };
}

function crashMessage(crash: string, lines: string[]): string {
  const at = lines.find((l) => /^\s+at /.test(l));
  return (
    `the firmware crashed at boot: ${crash}${at ? ` (${at.trim()})` : ""}.\n` +
    "  fix: read dist/<board>.debug.js around that place, fix the firmware and flash again; the board retries this code at every boot until then (README: \"Recover a board\")"
  );
}

/**
 * The board's output as lines, as a terminal shows them: "\r\x1b[J" (Espruino erasing its
 * prompt before it prints) drops what came before it on that line; CRs and the bare ">"
 * prompts are left out.
 */
export function cleanLines(text: string): string[] {
  return text
    .split("\n")
    .map((line) => {
      const erased = line.lastIndexOf("\r\x1b[J");
      return (erased >= 0 ? line.slice(erased + 4) : line).replace(/\r/g, "");
    })
    .filter((line) => line.length > 0 && line !== ">");
}

/** A progress bar on a terminal (redrawn in place), or a line per quarter elsewhere. */
export function progressBar(stream: NodeJS.WriteStream): (sent: number, total: number) => void {
  let lastQuarter = -1;
  return (sent, total) => {
    const fraction = total === 0 ? 1 : sent / total;
    const label = `${Math.round(fraction * 100)}% ${sent.toLocaleString("en-US")}/${total.toLocaleString("en-US")} bytes`;
    if (stream.isTTY) {
      const width = 30;
      const filled = Math.round(fraction * width);
      stream.write(`\r  [${"#".repeat(filled)}${"-".repeat(width - filled)}] ${label}${sent === total ? "\n" : ""}`);
    } else {
      const quarter = Math.floor(fraction * 4);
      if (quarter !== lastQuarter) {
        lastQuarter = quarter;
        stream.write(`  upload ${label}\n`);
      }
    }
  };
}
