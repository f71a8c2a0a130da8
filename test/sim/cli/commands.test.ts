// The simulator's commands as a user runs them: bin/sensornode.js in a child process, the
// example boards, readiness from the output (never fixed sleeps), SIGINT for Ctrl-C.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
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
