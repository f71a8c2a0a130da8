// `sensornode console`: lines typed go to the board, what the board prints comes back,
// through EspruinoTools in a child process, into the simulated console.
import { spawn, type ChildProcess } from "node:child_process";
import net from "node:net";
import path from "node:path";
import { PassThrough } from "node:stream";
import { afterAll, describe, expect, it } from "vitest";
import { ROOT } from "../../tools/build";
import { runConsole } from "../../tools/console";
import { SimulatedConsole } from "../../sim/console/server";

const consoles: SimulatedConsole[] = [];
const children: ChildProcess[] = [];

async function board(): Promise<SimulatedConsole> {
  const sim = new SimulatedConsole();
  await sim.listen(0);
  consoles.push(sim);
  return sim;
}

/** Resolves when `text` contains `wanted` (checked on every chunk). */
function waitFor(read: () => string, subscribe: (listener: () => void) => void, wanted: string): Promise<void> {
  return new Promise((resolve) => {
    const check = () => {
      if (read().includes(wanted)) resolve();
    };
    subscribe(check);
    check();
  });
}

afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
  for (const sim of consoles) await sim.close();
});

describe("sensornode console", () => {
  it("passes lines both ways and closes when piped input ends and the board is quiet", async () => {
    const sim = await board();
    sim.storage.set("log.txt", "hello");
    const input = new PassThrough();
    const output = new PassThrough();
    let shown = "";
    output.on("data", (chunk: Buffer) => (shown += chunk.toString("latin1")));
    const messages: string[] = [];
    const done = runConsole({ port: `tcp://127.0.0.1:${sim.port}`, quietMs: 300 }, { input, output, err: (t) => messages.push(t) });

    input.write("print(6*7)\n");
    await waitFor(() => shown, (l) => output.on("data", l), "42\r\n=undefined\r\n");
    // Output the board prints on its own (a timer) reaches the console too.
    input.write('setTimeout(function () { print("tick from a timer"); }, 50)\n');
    await waitFor(() => shown, (l) => output.on("data", l), "tick from a timer\r\n");
    input.end('require("Storage").list()\n');
    expect(await done).toBe(0);
    expect(shown).toContain('=[ "log.txt" ]');
    expect(sim.received).toBe('print(6*7)\nsetTimeout(function () { print("tick from a timer"); }, 50)\nrequire("Storage").list()\n');
    expect(messages.join("\n")).toContain(`connected to tcp://127.0.0.1:${sim.port}`);
  });

  it("Ctrl-] leaves at once; Ctrl-C alone goes to the board", async () => {
    const sim = await board();
    const input = new PassThrough();
    const output = new PassThrough();
    const done = runConsole({ port: `tcp://127.0.0.1:${sim.port}` }, { input, output, err: () => undefined });
    await new Promise<void>((resolve) => sim.once("connection", () => resolve()));
    input.write("1+1\n");
    await new Promise<void>((resolve) => sim.on("received", () => sim.received.includes("1+1\n") && resolve()));
    input.write("\x03");
    await new Promise<void>((resolve) => sim.on("received", () => sim.received.includes("\x03") && resolve()));
    input.write("\x1d");
    expect(await done).toBe(0);
    expect(sim.received).toBe("1+1\n\x03");
  });

  it("names the fix when nothing listens at the port", async () => {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as net.AddressInfo).port;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const messages: string[] = [];
    const code = await runConsole({ port: `tcp://127.0.0.1:${port}` }, { input: new PassThrough(), output: new PassThrough(), err: (t) => messages.push(t) });
    expect(code).toBe(1);
    expect(messages.join("\n")).toContain("connection refused");
  });

  it("works as a command with piped stdin (npx sensornode console --port tcp://...)", async () => {
    const sim = await board();
    const child = spawn(process.execPath, [path.join(ROOT, "bin", "sensornode.js"), "console", "--port", `tcp://127.0.0.1:${sim.port}`], { cwd: ROOT });
    children.push(child);
    let stdout = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("latin1")));
    child.stdin.end("print(1+1)\n");
    const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
    expect(code).toBe(0);
    expect(stdout).toContain("print(1+1)\r\n2\r\n=undefined\r\n>");
  });
});
