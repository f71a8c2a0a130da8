// Issue 7 end to end, without hardware: `npx sensornode flash boards/rpi-lab.json --port
// tcp://127.0.0.1:<port>` (the command, in its own process, with the real firmware) uploads
// over TCP into a simulated Espruino console whose runtime is a VirtualBoard (sim/board);
// the board boots the uploaded `.bootcde`, flash verifies its boot line, and the node
// connects to the broker of its board file (localhost:1883, routed to a real Mosquitto on a
// free port) and publishes its retained `online` status.
// The exchange (what the CLI sent, what the board answered), the board's events after the
// upload and the node's first status message go to test-output/flash/flash-virtual-board.log.
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import mqtt from "mqtt";
import { afterAll, beforeAll, expect, it } from "vitest";
import { ROOT, buildBoard } from "../../tools/build";
import { boardFromConfig } from "../../sim/board/from-config";
import type { VirtualBoard } from "../../sim/board/board";
import { boardConsole } from "../../sim/console/board-runtime";
import type { SimulatedConsole } from "../../sim/console/server";
import { startMosquitto, type Mosquitto } from "../support/mosquitto";

const RPI = path.join(ROOT, "boards", "rpi-lab.json");
const STATUS = "sensornode/lab-pi/status";
const TRANSCRIPT = path.join(ROOT, "test-output", "flash", "flash-virtual-board.log");

let broker: Mosquitto;
let board: VirtualBoard;
let sim: SimulatedConsole;
let out: string;
const children: ChildProcess[] = [];
const clients: mqtt.MqttClient[] = [];

beforeAll(async () => {
  broker = await startMosquitto();
  out = fs.mkdtempSync(path.join(os.tmpdir(), "sensornode-flash-board-"));
  // The board's hardware from the board file; no code yet: it comes over the console.
  const config = (await buildBoard(RPI, { write: false, entry: path.join(import.meta.dirname, "fixtures", "boot.ts") })).config!;
  board = boardFromConfig(config, "", {
    seed: 7,
    network: { route: (host, port) => (host === config.mqtt.host && port === config.mqtt.port ? { host: broker.host, port: broker.port } : undefined) },
  }).board;
  sim = boardConsole(board);
  await sim.listen(0);
});

afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  await Promise.all(clients.map((c) => c.endAsync(true)));
  await sim?.close();
  board?.dispose();
  await broker?.close();
  if (out) fs.rmSync(out, { recursive: true, force: true });
});

/** The sensornode command in a child process, as a user runs it. */
function sensornode(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [path.join(ROOT, "bin", "sensornode.js"), ...args], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  children.push(child);
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.on("exit", (code) => resolve({ code, stdout, stderr })));
}

/** The first message on `topic` a new subscriber gets (a retained one arrives at once, with retain set). */
async function firstMessage(topic: string): Promise<{ topic: string; payload: string; retain: boolean; qos: number }> {
  const client = await mqtt.connectAsync({ host: broker.host, port: broker.port, clientId: "flash-test-observer", reconnectPeriod: 0 });
  clients.push(client);
  const message = new Promise<{ topic: string; payload: string; retain: boolean; qos: number }>((resolve) => {
    client.on("message", (t, payload, packet) => resolve({ topic: t, payload: payload.toString(), retain: packet.retain, qos: packet.qos }));
  });
  await client.subscribeAsync(topic, { qos: 1 });
  return message;
}

it("npx sensornode flash boards/rpi-lab.json --port tcp://...: the board boots the upload, flash verifies it, the node reports retained `online`", async () => {
  const exchange: [">>" | "<<", string][] = [];
  sim.on("received", (data: string) => exchange.push([">>", data]));
  sim.on("sent", (data: string) => exchange.push(["<<", data]));
  const eventsBefore = board.events.length;

  const port = `tcp://127.0.0.1:${sim.port}`;
  const result = await sensornode("flash", RPI, "--port", port, "--out", out);
  const build = await buildBoard(RPI, { outDir: path.join(out, "check"), write: false });
  const bootLine = `sensornode 0.1.0 config ${build.configHash}: node lab-pi on LINUX`;
  const events = board.events.slice(eventsBefore).filter((e) => e.type !== "log");
  const record = (status: string) => {
    fs.mkdirSync(path.dirname(TRANSCRIPT), { recursive: true });
    fs.writeFileSync(
      TRANSCRIPT,
      [
        `# npx sensornode flash boards/rpi-lab.json --port ${port}   (exit code ${result.code})`,
        `# into a simulated Espruino console backed by a VirtualBoard (LINUX); the board's broker localhost:1883 is routed to Mosquitto at ${broker.host}:${broker.port}`,
        "# >> what the CLI (EspruinoTools) sent, << what the board answered (JSON-quoted)",
        ...exchange.map(([who, data]) => `${who} ${JSON.stringify(data)}`),
        "# the CLI's output",
        ...result.stdout.trimEnd().split("\n").map((l) => `stdout: ${l}`),
        ...result.stderr.trimEnd().split("\n").map((l) => `stderr: ${l}`),
        "# board events from the upload on (boot, halt, socket-open, ...: board clock ms)",
        ...events.map((e) => JSON.stringify(e)),
        "# what the board printed since load()",
        ...sim.bootOutput.map((l) => `board: ${l}`),
        "# the node's first status message, as a new subscriber to " + STATUS + " gets it",
        status,
        "",
      ].join("\n"),
    );
  };
  record("(not reached)");

  // The upload: stored as .bootcde byte for byte in the VirtualBoard's flash (1 KB Storage.write
  // chunks, not one E.setBootCode string in RAM), booted by load(), boot line verified by flash.
  // Soft, so that a firmware without its boot line still shows below whether it connects.
  expect.soft(board.flash.get(".bootcde")).toBe(build.output!.code);
  expect.soft(sim.received).toContain('\x10require("Storage").write(".bootcde",');
  expect.soft(sim.received).not.toContain("E.setBootCode");
  // flash proves the new firmware runs by this line: firmware/main.ts prints configSummary(config) first.
  expect.soft(sim.bootOutput[0], "the first line the booted firmware prints must be its boot line (configSummary)").toBe(bootLine);
  expect.soft(result.stderr).not.toContain("✗");
  expect.soft(result.stdout).toContain(`board: ${bootLine}`);
  expect.soft(result.stdout).toContain(`✓ ${RPI}: flashed to ${port}`);
  expect.soft(result.code).toBe(0);
  expect(board.state).toBe("running");
  expect(board.events.slice(eventsBefore).filter((e) => e.type === "uncaught")).toEqual([]);

  // The booted node reaches the board file's broker address (routed to the real Mosquitto) ...
  await board.waitFor((e) => e.type === "socket-open" && e.host === "localhost" && e.port === 1883, { since: eventsBefore, timeout: 20_000 });
  // ... and its retained `online` is what a new subscriber gets first. Waiting for the broker to
  // have taken the retained PUBLISH first makes the retain flag a property of the broker's copy.
  await broker.waitForLog(/Received PUBLISH from sensornode-lab-pi\S* \(d0, q\d, r1, m\d+, 'sensornode\/lab-pi\/status'/);
  const status = await firstMessage(STATUS);
  record(JSON.stringify(status));
  expect(status).toMatchObject({ topic: STATUS, payload: "online", retain: true });
});
