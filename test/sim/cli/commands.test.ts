// The simulator's commands as a user runs them: bin/sensornode.js in a child process, the
// example boards, readiness from the output (never fixed sleeps), SIGINT for Ctrl-C.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ROOT } from "../../../tools/build";

const BIN = path.join(ROOT, "bin", "sensornode.js");
const children: ChildProcess[] = [];

afterAll(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
});

interface Running {
  child: ChildProcess;
  lines: string[];
  errors: string[];
  waitFor(pattern: RegExp, timeout?: number): Promise<string>;
  exit: Promise<number | null>;
}

function run(args: string[]): Running {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, FORCE_COLOR: "0" } });
  children.push(child);
  const lines: string[] = [];
  const errors: string[] = [];
  const waiters: { pattern: RegExp; resolve: (line: string) => void }[] = [];
  const feed = (into: string[]) => {
    let rest = "";
    return (chunk: Buffer) => {
      const parts = (rest + chunk.toString()).split("\n");
      rest = parts.pop()!;
      for (const line of parts) {
        into.push(line);
        for (const w of waiters.slice()) {
          if (!w.pattern.test(line)) continue;
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(line);
        }
      }
    };
  };
  child.stdout!.on("data", feed(lines));
  child.stderr!.on("data", feed(errors));
  const exit = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return {
    child,
    lines,
    errors,
    exit,
    waitFor(pattern, timeout = 60_000) {
      const earlier = lines.concat(errors).find((l) => pattern.test(l));
      if (earlier) return Promise.resolve(earlier);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no line matching ${String(pattern)} within ${timeout} ms; stdout:\n${lines.slice(-20).join("\n")}\nstderr:\n${errors.slice(-20).join("\n")}`)), timeout);
        waiters.push({ pattern, resolve: (line) => (clearTimeout(timer), resolve(line)) });
        void exit.then(() => setTimeout(() => reject(new Error(`exited before a line matching ${String(pattern)}; stderr:\n${errors.join("\n")}`)), 50));
      });
    },
  };
}

function childrenOf(pid: number): string {
  try {
    return execFileSync("ps", ["--ppid", String(pid), "-o", "pid=,comm="], { encoding: "utf8" }).trim();
  } catch {
    return ""; // ps exits 1 when nothing matches
  }
}

describe("sensornode sim", () => {
  it("two boards on virtual time against the embedded broker: runs to --duration, exits 0, --json has each node's boot line", async () => {
    const sim = run(["sim", "boards/greenhouse.json", "boards/door.json", "--virtual", "--duration", "2m", "--json", "--seed", "5"]);
    const code = await sim.exit;
    expect(code, sim.errors.join("\n")).toBe(0);
    const events = sim.lines.map((l) => JSON.parse(l) as { type: string; node?: string; text?: string; what?: string; time: number });
    for (const [node, kind] of [["greenhouse", "ESP32"], ["front-door", "ESP8266"]]) {
      expect(events.some((e) => e.type === "boot" && e.node === node)).toBe(true);
      expect(events.some((e) => e.type === "log" && e.node === node && new RegExp(`^sensornode \\S+ config [0-9a-f]{12}: node ${node} on ${kind}$`).test(e.text ?? ""))).toBe(true);
    }
    expect(events.filter((e) => e.type === "uncaught")).toEqual([]);
    expect(events.find((e) => e.what === "broker")).toMatchObject({ embedded: true });
    expect(events.find((e) => e.what === "stopping")?.time).toBe(120_000);
    expect(events[events.length - 1]).toMatchObject({ type: "sim", what: "stopped" });
  });

  it("--clock sets the simulated wall clock: diag's time and the daylight follow it", async () => {
    const board = path.join("test", "sim", "environment", "fixtures", "garden-probe.json");
    const sim = run(["sim", board, "--virtual", "--duration", "70m", "--clock", "2031-06-21T11:00Z", "--json"]);
    expect(await sim.exit, sim.errors.join("\n")).toBe(0);
    const events = sim.lines.map((l) => JSON.parse(l) as { type: string; topic?: string; payload?: string; time: number });
    const diags = events.filter((e) => e.topic === "sensornode/garden-probe/diag").map((e) => ({ time: e.time, body: JSON.parse(e.payload!) as { time?: string } }));
    const timed = diags.filter((d) => d.body.time);
    expect(timed.length).toBeGreaterThanOrEqual(1);
    for (const d of timed) expect(Math.abs(Date.parse(d.body.time!) - (Date.UTC(2031, 5, 21, 11) + d.time))).toBeLessThan(60_000);
    const light = events.filter((e) => e.topic === "sensornode/garden-probe/light/illuminance").map((e) => Number(e.payload));
    expect(light.length).toBeGreaterThanOrEqual(6);
    expect(Math.min(...light)).toBeGreaterThan(1000); // late morning at midsummer
    const bad = run(["sim", board, "--clock", "tomorrow"]);
    expect(await bad.exit).toBe(2);
    expect(bad.errors.join("\n")).toMatch(/"tomorrow" is not a date and time: write e\.g\. 2026-06-21T12:00Z/);
  });

  it("explains a mistake in a sentence: no boards, both --speed and --virtual, a bad duration", async () => {
    const none = run(["sim", "README.md"]);
    expect(await none.exit).toBe(1);
    expect(none.errors.join("\n")).toMatch(/no board files given \(example: npx sensornode sim boards\/greenhouse\.json\)/);
    const both = run(["sim", "boards/door.json", "--speed", "2", "--virtual"]);
    expect(await both.exit).toBe(2);
    expect(both.errors.join("\n")).toMatch(/choose either --speed or --virtual/);
    const bad = run(["sim", "boards/door.json", "--duration", "soon"]);
    expect(await bad.exit).toBe(2);
    expect(bad.errors.join("\n")).toMatch(/"soon" is not a duration: write e\.g\. 90s/);
  });
});

describe("sensornode start (npm start), not on a terminal", () => {
  it("runs a demo fleet next to the example boards, summarised in one line; --snapshot writes the view as plain text; --duration ends it", async () => {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), "sensornode-start-test-"));
    const file = path.join(folder, "view.txt");
    try {
      const start = run(["start", "--demo", "3", "--speed", "20", "--duration", "2m", "--clock", "2026-06-21T11:00Z", "--snapshot", file]);
      expect(await start.exit, start.errors.join("\n")).toBe(0);
      expect(start.lines[0]).toMatch(/^sensornode simulator: 6 nodes, seed 1, 20x real time, simulated clock from 2026-06-21T11:00Z$/);
      const fleetLine = start.lines.find((l) => l.startsWith("demo fleet ("))!;
      expect(fleetLine).toMatch(/^demo fleet \((\d) indoor, (\d) outdoor, (\d) greenhouse\): 3 nodes demo-001\.\.demo-003 \(ESP32/);
      // the fleet's own lines are not printed one by one; the example boards' are
      expect(start.lines.some((l) => /^demo-00\d/.test(l))).toBe(false);
      expect(start.lines.some((l) => l.startsWith("greenhouse | sensornode "))).toBe(true);
      // at the end: a row per example board, one line for the fleet, after the nodes went offline
      expect(start.lines.some((l) => /^greenhouse: status offline/.test(l))).toBe(true);
      expect(start.lines[start.lines.length - 1]).toMatch(/^demo fleet \(.*\): 3 nodes \(3 offline\), \d+ messages, .*temperature -?[\d.]+(\.\.-?[\d.]+)?, humidity .*illuminance /);
      // the snapshot: the view as it was before the nodes stopped, without terminal escapes
      const view = fs.readFileSync(file, "utf8");
      expect(view.includes("\u001b")).toBe(false);
      expect(view).toMatch(/^sensornode simulator: 6 nodes/);
      expect(view).toMatch(/\ntime {4}00:02:00 simulated/);
      for (const node of ["front-door", "greenhouse", "lab-pi"]) expect(view).toMatch(new RegExp(`\\n${node} +\\S+ +online `));
      expect(view).toMatch(/\ndemo fleet \(.*\): 3 nodes \(3 online\), \d+ messages, 0 reconnects, buffered \d+, errors 0; .*temperature/);
      // 11:00 to 11:02 at midsummer: daylight reaches the greenhouse's light sensor
      expect(Number(/light\/illuminance (\d+)/.exec(view)![1])).toBeGreaterThan(100);
    } finally {
      fs.rmSync(folder, { recursive: true, force: true });
    }
  });

  it("--demo takes a count from 0 (none) with a sentence for anything else", async () => {
    const bad = run(["start", "--demo", "-1"]);
    expect(await bad.exit).toBe(2);
    expect(bad.errors.join("\n")).toMatch(/expected a whole number of demo nodes from 0 \(none\) to 10000, not "-1"/);
    const help = run(["start", "--help"]);
    await help.exit;
    expect(help.lines.join("\n")).toMatch(/--demo <count> +also run a demo fleet/);
    expect(help.lines.join("\n")).toMatch(/--snapshot <file> +also write the live view as plain text/);
  });

  it("prints the broker, a mosquitto_sub line and every node; SIGINT stops it with exit 0 and no process left", async () => {
    const start = run(["start"]);
    const broker = await start.waitFor(/^broker {2}mqtt:\/\/127\.0\.0\.1:\d+/);
    const port = /:(\d+)/.exec(broker)![1];
    await start.waitFor(new RegExp(`^watch {3}mosquitto_sub -h 127\\.0\\.0\\.1 -p ${port} -t 'sensornode/#' -v$`));
    await start.waitFor(/^web {5}http:\/\/127\.0\.0\.1:\d+\/$/);
    for (const node of ["front-door", "greenhouse", "lab-pi"]) {
      await start.waitFor(new RegExp(`^node ${node} \\(`));
      await start.waitFor(new RegExp(`^${node} \\| sensornode \\S+ config [0-9a-f]{12}: node ${node} on `));
    }
    start.child.kill("SIGINT");
    expect(await start.exit, start.errors.join("\n")).toBe(0);
    expect(start.lines).toContain("stopped.");
    expect(start.lines.some((l) => /^greenhouse: status /.test(l))).toBe(true);
    expect(childrenOf(start.child.pid!)).toBe("");
  });
});
