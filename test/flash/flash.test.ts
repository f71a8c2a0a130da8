// `sensornode flash` mechanics without hardware: the real EspruinoTools uploads over TCP into
// the simulated Espruino console (sim/console) on its stand-in runtime, which stores .bootcde,
// boots it, and answers with the firmware's boot line, which flash verifies. These build with a
// fixture firmware (boot lines only). The real firmware, flashed by the command into a console
// backed by a VirtualBoard and reaching a real broker, is board.test.ts.
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../tools/cli";
import { ROOT, buildBoard } from "../../tools/build";
import { flash, type FlashOptions, type FlashOutcome } from "../../tools/flash";
import { SimulatedConsole } from "../../sim/console/server";
import { MemoryStorage, minimalRuntime, type RuntimeFactory } from "../../sim/console/runtime";

const RPI = path.join(ROOT, "boards", "rpi-lab.json");
let out: string;
const consoles: SimulatedConsole[] = [];

async function board(options: ConstructorParameters<typeof SimulatedConsole>[0] = {}): Promise<SimulatedConsole> {
  const sim = new SimulatedConsole(options);
  await sim.listen(0);
  consoles.push(sim);
  return sim;
}

async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const code = await main(["node", "sensornode", ...args, "--out", out], { out: (t) => stdout.push(t), err: (t) => stderr.push(t) });
  return { code, out: stdout.join("\n"), err: stderr.join("\n") };
}

const FIXTURE = path.join(import.meta.dirname, "fixtures", "boot.ts");

/** flash() with the fixture firmware (the boot lines only): the mechanics, whatever the app does. */
async function run(boardFile: string, options: FlashOptions & { progress?: (sent: number, total: number) => void } = {}): Promise<{ code: number; out: string; err: string; outcome: FlashOutcome }> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const outcome = await flash(boardFile, { outDir: out, entry: FIXTURE, ...options }, { out: (t) => stdout.push(t), err: (t) => stderr.push(t), progress: options.progress });
  return { code: outcome.code, out: stdout.join("\n"), err: stderr.join("\n"), outcome };
}

function built(boardFile: string) {
  return buildBoard(boardFile, { entry: FIXTURE, write: false });
}

/** A port nothing listens on: bound once, then released. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** rpi-lab with another node id, so a second flash has other bytes to store. */
function otherBoard(): string {
  const file = path.join(out, "boards", "lab-two.json");
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const json = JSON.parse(fs.readFileSync(RPI, "utf8"));
  json.node = "lab-two";
  fs.writeFileSync(file, JSON.stringify(json, null, 2));
  return file;
}

beforeAll(() => {
  out = fs.mkdtempSync(path.join(os.tmpdir(), "sensornode-flash-"));
});

afterAll(async () => {
  for (const sim of consoles) await sim.close();
});

describe("flash into a simulated board over TCP", () => {
  it("a second flash replaces the stored code, it does not append to it", async () => {
    const sim = await board();
    const port = `tcp://127.0.0.1:${sim.port}`;
    sim.storage.set(".bootcde", `print("old firmware");${" ".repeat(5000)}`);
    expect((await run(RPI, { port })).code).toBe(0);
    const first = sim.storage.get(".bootcde")!;
    const second = await run(otherBoard(), { port });
    expect(second.code).toBe(0);
    const stored = sim.storage.get(".bootcde")!;
    const build = await built(otherBoard());
    expect(stored).toBe(build.output!.code);
    expect(stored).not.toContain("lab-pi");
    expect(first).not.toContain("old firmware");
    expect(stored.length).toBe(build.output!.code.length);
    expect(sim.bootOutput[0]).toContain("node lab-two on LINUX");
  });

  it("--dry-run writes exactly the bytes a real upload sends, mode 0600, and sends nothing", async () => {
    const sim = await board();
    const file = path.join(out, "upload.js");
    const dry = await run(RPI, { dryRun: file });
    expect(dry.code).toBe(0);
    expect(dry.out).toContain("secrets");
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(sim.received).toBe("");
    expect(sim.storage.get(".bootcde")).toBeUndefined();

    const real = (await run(RPI, { port: `tcp://127.0.0.1:${sim.port}` })).outcome;
    expect(real.code).toBe(0);
    const payload = fs.readFileSync(file, "latin1");
    // A real session is the prompt probe ("\n", from Utils.getEspruinoPrompt) then the payload.
    expect(sim.received).toBe(`\n${payload}`);
    expect(real.bytes).toBe(payload.length);
  });

  it("shows progress as bytes reach the port, up to the whole upload", async () => {
    const sim = await board();
    const steps: [number, number][] = [];
    const result = await run(RPI, { port: `tcp://127.0.0.1:${sim.port}`, progress: (sent, total) => steps.push([sent, total]) });
    expect(result.code).toBe(0);
    expect(steps.length).toBeGreaterThan(1);
    const total = steps[0]![1];
    expect(steps.every(([, t]) => t === total)).toBe(true);
    expect(steps.map(([s]) => s)).toEqual([...steps.map(([s]) => s)].sort((a, b) => a - b));
    expect(steps.at(-1)![0]).toBe(total);
    expect(sim.received.length).toBe(total + 1); // + the "\n" prompt probe before the upload
  });

  it("fails with the fix when the board boots another build (the upload did not land)", async () => {
    const storage = new MemoryStorage();
    storage.set(".bootcde", 'print("sensornode 0.1.0 config 000000000000: node lab-pi on LINUX")');
    const sim = await board({ storage, dropStorageWrites: true });
    const result = await run(RPI, { port: `tcp://127.0.0.1:${sim.port}` });
    expect(result.code).toBe(1);
    expect(result.err).toContain('the board booted "sensornode 0.1.0 config 000000000000: node lab-pi on LINUX"');
    expect(result.err).toContain("the upload did not replace the code saved on the board");
    expect(result.err).toContain('require("Storage").erase(".bootcde")');
  });

  it("names the fix when nothing listens at the port", async () => {
    const port = await closedPort();
    const result = await run(RPI, { port: `tcp://127.0.0.1:${port}`, timeout: 20 });
    expect(result.code).toBe(1);
    expect(result.err).toContain(`nothing accepts connections at tcp://127.0.0.1:${port} (connection refused)`);
    expect(result.err).toContain("fix:");
  });

  it("reports an Uncaught error the firmware prints at boot", async () => {
    const crashing: RuntimeFactory = (host) => {
      const runtime = minimalRuntime(host);
      return {
        ...runtime,
        evaluate: (code, filename) => {
          const value = runtime.evaluate(code, filename);
          if (filename === ".bootcde") runtime.evaluate("sensors.start()", filename);
          return value;
        },
      };
    };
    const sim = await board({ runtime: crashing });
    const result = await run(RPI, { port: `tcp://127.0.0.1:${sim.port}` });
    expect(result.code).toBe(1);
    expect(result.err).toContain("the firmware crashed at boot: Uncaught ReferenceError: sensors is not defined");
    expect(result.err).toContain("Recover a board");
  });

  it("times out with a sentence when the port answers nothing", async () => {
    const silent = net.createServer((socket) => socket.on("data", () => undefined));
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const port = (silent.address() as net.AddressInfo).port;
    try {
      const result = await run(RPI, { port: `tcp://127.0.0.1:${port}`, timeout: 3 });
      expect(result.code).toBe(1);
      expect(result.err).toMatch(/did not print its boot line .* within 3 s|no answer from/);
    } finally {
      silent.close();
    }
  });

  it("refuses to run without a port or a dry run", async () => {
    const result = await cli("flash", RPI);
    expect(result.code).toBe(2);
    expect(result.err).toContain("fix: --port /dev/ttyUSB0");
  });
});
