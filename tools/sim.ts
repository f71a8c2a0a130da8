// `sensornode sim` and `sensornode start` (npm start): the simulator's commands.
import fs from "node:fs";
import { InvalidArgumentError, type Command } from "commander";
import { boardFiles, listBoards } from "./config";
import { DEFAULT_CONNECT_RATE, Simulation, parseDuration, type SimEvent, type SimulationOptions } from "../sim/cli";
import type { OverrunSummary } from "../sim/board/scheduler";
import { checkScenario, ScenarioRun } from "../sim/faults";
import { buildFleet, BuildError, type NodeBundle } from "../sim/fleet-build";
import { buildDemoFleet, demoLocation, DEMO_DESCRIPTION } from "../sim/demo";
import { locationOf } from "../sim/environment";
import { FleetState, TerminalView, groupSummary, headerLines, renderFrame, summary, type Header } from "../sim/live-view";
import { formatTime, parseFaultFlag, parseScenario, ScenarioError, type FaultSpec, type Scenario } from "../sim/scenario";
import { webHandler } from "../sim/web/serve";
import { findMosquitto, MOSQUITTO_MISSING } from "../sim/mosquitto";

export interface SimOutput {
  out(text: string): void;
  err(text: string): void;
}

interface SimFlags {
  clock?: number;
  nodes?: number;
  broker?: string;
  seed: number;
  speed?: number;
  virtual?: boolean;
  duration?: number;
  json?: boolean;
  scenario?: string;
  fault?: FaultSpec[];
  connectRate?: number;
  mosquitto?: boolean;
}

export function registerSimCommands(program: Command, io: SimOutput, done: (code: number) => void): void {
  program
    .command("sim")
    .description("Run boards on virtual Espruino boards (the same bundle that is flashed) against the embedded MQTT broker or a real one.")
    .argument("<boards...>", "board files, e.g. boards/greenhouse.json (or a folder of them)")
    .option("-n, --nodes <count>", "run this many clones of each board, with node ids <node>-001, <node>-002, ...", parseCount)
    .option("--broker <url>", "a real broker, mqtt://host:port, instead of the embedded one (the nodes' broker address is routed there)")
    .option("--mosquitto", "start a real Mosquitto (the mosquitto program must be installed) on a free port as the broker; broker-restart faults restart it")
    .option("--seed <number>", "master seed: the same seed and boards give the same run", parseInteger, 1)
    .option("--speed <factor>", "run the clock this many times faster than real time", parsePositive)
    .option("--virtual", "event-driven time: jump from one timer to the next, as fast as the machine allows")
    .option("--duration <time>", "stop after this much simulated time (90s, 15m, 1h, 2d)", parseTime)
    .option("--json", "print one JSON event per line: board events (boot, log, wifi, uncaught, world: a door opened ...) and every MQTT message the broker routes")
    .option("--clock <time>", "simulated wall-clock time at the start, e.g. 2026-06-21T00:00Z: what SNTP tells the nodes and the time of day of the environment (default 2026-01-01T00:00Z)", parseClock)
    .option("--scenario <file>", "timed faults and expectations from a JSON file (see README, Simulate); an unmet expectation makes the run fail")
    .option(
      "--fault <spec>",
      "a fault, kind[=setting]@time[+duration][:node[/sensor]] (repeatable): wifi-drop, broker-restart, socket-drop, power-loss, i2c-nack, device-gone, crc (sensor), i2c-stuck (node/bus), half-open, latency=300ms, loss=0.2, clock-jump=-1h",
      collectFault,
      [],
    )
    .option("--connect-rate <nodes-per-second>", `power nodes on at this rate (seeded moments), so a fleet does not connect all at once; 0 = all at once (default: all at once up to ${DEFAULT_CONNECT_RATE} nodes, else ${DEFAULT_CONNECT_RATE}/s; with --virtual, all at once)`, parseRate)
    .addHelpText(
      "after",
      [
        "",
        "Boards are built in memory (dist/ is not touched); missing secrets are allowed, since the simulated",
        "WiFi and the embedded broker accept any password. Ctrl-C shuts every node down cleanly (the firmware's",
        "kill handlers run, so it publishes offline), then stops the broker.",
        "Exit code: 0 after --duration or Ctrl-C, 1 when a board does not build, the broker is unreachable or a scenario's",
        "expectation is not met, 2 for usage errors.",
        "Examples:",
        "  npx sensornode sim boards/greenhouse.json",
        "  npx sensornode sim boards/*.json --nodes 100 --speed 10",
        "  npx sensornode sim boards/door.json --virtual --duration 1d --json > events.jsonl",
        "  npx sensornode sim boards/door.json --broker mqtt://127.0.0.1:1883",
        "  npx sensornode sim boards/greenhouse.json --virtual --scenario outage.json",
        "  npx sensornode sim boards/greenhouse.json --virtual --duration 5m --fault wifi-drop@1m+2m --fault i2c-nack@3m+30s:greenhouse/air",
      ].join("\n"),
    )
    .action(async (boards: string[], flags: SimFlags) => {
      if (flags.speed !== undefined && flags.virtual) {
        io.err("sim: choose either --speed or --virtual, not both.");
        return done(2);
      }
      if (flags.mosquitto && flags.broker) {
        io.err("sim: choose either --broker (a broker you run) or --mosquitto (one the simulator starts), not both.");
        return done(2);
      }
      done(await runSim(boards, flags, io));
    });

  program
    .command("start")
    .description("Try it with no hardware: embedded MQTT broker + one simulated node per boards/*.json + a live view in the terminal and a web page.")
    .option("--boards <folder>", "folder of board files", "boards")
    .option("--demo <count>", `also run a demo fleet of this many simulated nodes (${DEMO_DESCRIPTION}) in indoor, outdoor and greenhouse spots; 0 for none`, parseDemo, 20)
    .option("--clock <time>", "simulated wall-clock time at the start, e.g. 2026-06-21T12:00Z (default: now, so the simulated daylight follows yours)", parseClock)
    .option("--duration <time>", "stop after this much simulated time (90s, 15m, 1h); default: run until Ctrl-C", parseTime)
    .option("--snapshot <file>", "also write the live view as plain text to this file, every second and once more when stopping (for docs and logs)")
    .option("--seed <number>", "master seed", parseInteger, 1)
    .option("--speed <factor>", "run the clock this many times faster than real time", parsePositive)
    .option("--scenario <file>", "timed faults and expectations from a JSON file, as for sim; an unmet expectation makes the exit code 1")
    .addHelpText(
      "after",
      [
        "",
        "On a terminal the view redraws in place; piped, it prints plain lines (the demo fleet as one summary line at the end).",
        "Ctrl-C shuts the nodes down cleanly (they publish offline) and stops the broker.",
        "Examples:",
        "  npm start",
        "  npm start -- --demo 100 --speed 60",
        "  npx sensornode start --demo 0 --duration 1m --snapshot view.txt",
      ].join("\n"),
    )
    .action(async (flags: StartFlags) => {
      done(await runStart(flags, io));
    });
}

interface StartFlags {
  boards: string;
  seed: number;
  speed?: number;
  scenario?: string;
  demo: number;
  clock?: number;
  duration?: number;
  snapshot?: string;
}

/** The scenario of --scenario / --fault, checked against the bundles; a ScenarioError's sentence goes to stderr. */
function scenarioFor(flags: { scenario?: string; fault?: FaultSpec[] }, bundles: NodeBundle[], embeddedBroker: boolean, io: SimOutput): { scenario?: Scenario; failed?: true } {
  try {
    const scenario = loadScenario(flags);
    if (scenario) checkScenario(scenario, bundles, { embeddedBroker });
    return { scenario };
  } catch (error) {
    if (!(error instanceof ScenarioError)) throw error;
    io.err(error.message);
    return { failed: true };
  }
}

/** A scenario with expectations runs until its last window closes, unless it (or --duration) says otherwise. */
function scenarioDuration(scenario: Scenario | undefined): number | undefined {
  return scenario?.duration ?? (scenario?.expect.length ? Math.max(...scenario.expect.map((e) => e.within[1])) : undefined);
}

/** Prints each expectation's verdict; returns the exit code (1 when one is not met). */
function reportScenario(run: ScenarioRun, simulation: Simulation, json: boolean, io: SimOutput): number {
  const results = run.results();
  const failed = results.filter((r) => !r.met);
  for (const result of results) {
    if (json) io.out(JSON.stringify({ time: simulation.clock.now(), type: "sim", what: "expect", met: result.met, node: result.node, topic: result.expectation.topic, sentence: result.sentence }));
    if (!result.met || !json) io.err(result.sentence);
  }
  if (results.length) io.err(failed.length ? `scenario: ${failed.length} of ${results.length} expectations not met.` : `scenario: all ${results.length} expectations met.`);
  return failed.length ? 1 : 0;
}

async function runSim(args: string[], flags: SimFlags, io: SimOutput): Promise<number> {
  const files = boardFiles(args, (text) => io.err(text));
  if (files.length === 0) {
    io.err("sim: no board files given (example: npx sensornode sim boards/greenhouse.json).");
    return 1;
  }
  try {
    loadScenario(flags);
  } catch (error) {
    // a scenario file that is wrong fails before the (slower) build
    if (!(error instanceof ScenarioError)) throw error;
    io.err(error.message);
    return 1;
  }
  const bundles = await buildOrReport(files, flags.nodes, io);
  if (!bundles) return 1;
  const { scenario, failed } = scenarioFor(flags, bundles, !flags.broker, io);
  if (flags.mosquitto && !findMosquitto()) {
    io.err(MOSQUITTO_MISSING);
    return 1;
  }
  if (failed) return 1;
  const duration = flags.duration ?? scenarioDuration(scenario);
  const options: SimulationOptions = { broker: flags.broker, seed: flags.seed, speed: flags.speed, virtual: flags.virtual, duration, connectRate: flags.connectRate, mosquitto: flags.mosquitto, epoch: flags.clock };
  const simulation = new Simulation(bundles, options);
  const scenarioRun = scenario ? new ScenarioRun(simulation, scenario, { seed: flags.seed }) : undefined;
  const state = new FleetState(bundles.map((b) => b.config));
  simulation.onEvent((event) => {
    if (flags.json) return io.out(JSON.stringify(event));
    const line = state.apply(event);
    if (event.type === "mqtt") io.out(`mqtt ${String(event.topic)} ${String(event.payload)}${event.retain ? " (retained)" : ""}`);
    else if (event.type === "sim") io.err(simLine(event));
    else if (line) io.out(line);
  });
  const code = await run(simulation, io, () => {
    if (!flags.json) for (const view of state.nodes) io.err(summary(view));
  });
  if (code !== 0 || !scenarioRun) return code;
  return reportScenario(scenarioRun, simulation, flags.json === true, io);
}

function loadScenario(flags: { scenario?: string; fault?: FaultSpec[] }): Scenario | undefined {
  const faults = flags.fault ?? [];
  if (!flags.scenario && faults.length === 0) return undefined;
  let scenario: Scenario = { faults: [], expect: [] };
  if (flags.scenario) {
    if (!fs.existsSync(flags.scenario)) throw new ScenarioError(`--scenario ${flags.scenario}: no such file`);
    scenario = parseScenario(fs.readFileSync(flags.scenario, "utf8"), flags.scenario);
  }
  return { ...scenario, faults: [...scenario.faults, ...faults] };
}

function collectFault(value: string, previous: FaultSpec[]): FaultSpec[] {
  try {
    return [...previous, parseFaultFlag(value)];
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}

async function runStart(flags: StartFlags, io: SimOutput): Promise<number> {
  const files = listBoards(flags.boards);
  if (files.length === 0) {
    io.err(`start: no board files in ${flags.boards}/ (add one, e.g. copy boards/greenhouse.json, or pass --boards <folder>).`);
    return 1;
  }
  const examples = await buildOrReport(files, undefined, io);
  if (!examples) return 1;
  const demo = await buildDemoFleet(flags.demo, io.err);
  const bundles = [...examples, ...demo];
  const { scenario, failed } = scenarioFor(flags, bundles, true, io);
  if (failed) return 1;
  const demoIds = new Set(demo.map((b) => b.id));
  const locations = new Map(demo.map((b, i) => [b.id, demoLocation(flags.seed, i)] as const));
  const count = (where: string) => [...locations.values()].filter((l) => l === where).length;
  const fleetName = `demo fleet (${["indoor", "outdoor", "greenhouse"].map((l) => `${count(l)} ${l}`).join(", ")})`;
  const simulation = new Simulation(bundles, {
    seed: flags.seed,
    speed: flags.speed,
    duration: flags.duration ?? scenarioDuration(scenario),
    http: webHandler(),
    // the simulated day starts at the real time of day here, at a longitude that makes solar time your clock's time
    epoch: flags.clock ?? Date.now(),
    site: { longitude: -new Date().getTimezoneOffset() / 4 },
    location: (bundle) => locations.get(bundle.id) ?? locationOf(bundle.id),
  });
  const scenarioRun = scenario ? new ScenarioRun(simulation, scenario, { seed: flags.seed }) : undefined;
  const state = new FleetState(
    bundles.map((b) => b.config),
    Object.fromEntries(demo.map((b) => [b.id, fleetName])),
  );
  const tty = process.stdout.isTTY === true;
  let view: TerminalView | undefined;
  let header: Header | undefined;
  let snapshots: NodeJS.Timeout | undefined;
  const snapshot = () => {
    if (flags.snapshot && header) fs.writeFileSync(flags.snapshot, `${renderFrame(header, state, 260, 60 + state.layout().rows.length)}\n`);
  };
  simulation.onEvent((event) => {
    const line = state.apply(event);
    if (event.type === "sim" && event.what === "broker") {
      header = startHeader(simulation, bundles, flags);
      if (tty) {
        view = new TerminalView(process.stdout, header, state);
        view.start();
      } else {
        headerLines(header, state).forEach((l) => io.out(l));
        examples.forEach((b) => io.out(`node ${b.id} (${b.config.board}) from ${b.file}`));
        if (demo.length) io.out(`${fleetName}: ${demo.length} nodes ${demo[0]!.id}..${demo[demo.length - 1]!.id} (${DEMO_DESCRIPTION})`);
      }
      if (flags.snapshot) snapshots = setInterval(snapshot, 1000);
      return;
    }
    if (event.type === "sim" && event.what === "stopping") {
      // the last picture before the nodes go offline
      if (snapshots) clearInterval(snapshots);
      snapshot();
    }
    if (tty || (event.node !== undefined && demoIds.has(event.node))) return;
    if (event.type === "sim") io.out(simLine(event));
    else if (line) io.out(line);
  });
  const code = await run(simulation, io, () => {
    if (snapshots) clearInterval(snapshots);
    view?.stop();
    if (!tty) {
      const { rows, groups } = state.layout();
      for (const node of rows) io.out(summary(node));
      for (const [name, views] of groups) io.out(groupSummary(name, views));
    }
  });
  if (code !== 0 || !scenarioRun) return code;
  return reportScenario(scenarioRun, simulation, false, io);
}

function startHeader(simulation: Simulation, bundles: NodeBundle[], flags: StartFlags): Header {
  const broker = simulation.broker!;
  const prefixes = [...new Set(bundles.map((b) => b.config.topicPrefix ?? "sensornode"))];
  const topic = prefixes.length === 1 ? `${prefixes[0]}/#` : "#";
  return {
    broker: `${broker.url}${broker.wsUrl ? `  (MQTT over WebSocket: ${broker.wsUrl})` : ""}`,
    subscribe: `mosquitto_sub -h ${broker.host} -p ${broker.port} -t '${topic}' -v`,
    web: broker.wsPort ? `http://${broker.host}:${broker.wsPort}/` : undefined,
    mode: `${flags.speed ? `${flags.speed}x real time` : "real time"}, simulated clock from ${new Date(simulation.epoch).toISOString().slice(0, 16)}Z`,
    seed: flags.seed,
  };
}

/** Runs until the duration ends or Ctrl-C (SIGINT/SIGTERM), then stops everything cleanly. */
async function run(simulation: Simulation, io: SimOutput, after: () => void): Promise<number> {
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    signals++;
    if (signals > 1) {
      io.err(`${signal} again: leaving without waiting for the nodes.`);
      process.exit(130);
    }
    void simulation.stop();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  try {
    await simulation.start();
    await simulation.stop();
    after();
    return 0;
  } catch (error) {
    await simulation.stop().catch(() => {});
    io.err(`sim: ${(error as Error).message}`);
    return 1;
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}

async function buildOrReport(files: string[], nodes: number | undefined, io: SimOutput): Promise<NodeBundle[] | undefined> {
  try {
    return await buildFleet(files, { nodes, progress: io.err });
  } catch (error) {
    if (error instanceof BuildError) {
      io.err(error.message);
      return undefined;
    }
    throw error;
  }
}

function simLine(event: SimEvent): string {
  switch (event.what) {
    case "broker":
      if (event.mosquitto) return `Mosquitto started by the simulator on ${String(event.url)}`;
      return event.embedded ? `embedded broker on ${String(event.url)}${event.ws ? ` (WebSocket ${String(event.ws)})` : ""}` : `using the broker at ${String(event.url)}`;
    case "started":
      return `${String(event.nodes)} node${event.nodes === 1 ? "" : "s"} started (seed ${String(event.seed)}, ${String(event.mode)}${event.connectRate ? `, powered on at ${String(event.connectRate)} per second` : ""})`;
    case "stopping":
      return "stopping: every node shuts down cleanly (publishes offline) ...";
    case "stopped": {
      const overrun = event.overrun as OverrunSummary | undefined;
      if (!overrun) return "stopped.";
      const kept = overrun.episodes === 0 ? `the schedule was kept (timers at most ${Math.round(overrun.maxLag)} ms late)` : `OVERRUN ${overrun.episodes} time${overrun.episodes === 1 ? "" : "s"}: timers up to ${Math.round(overrun.maxLag)} ms late, ${formatTime(Math.round(overrun.lagging))} of simulated time spent lagging (fewer nodes or a lower --speed)`;
      return `stopped.\n${kept[0]!.toUpperCase()}${kept.slice(1)}.`;
    }
    case "overrun":
      return event.phase === "begin"
        ? `${formatTime(Math.round(event.time))} OVERRUN: timers fire ${Math.round(Number(event.lag))} ms late: this machine cannot keep every node's schedule (fewer nodes or a lower --speed)`
        : `${formatTime(Math.round(event.time))} overrun over: timers were up to ${Math.round(Number(event.maxLag))} ms late for ${formatTime(Math.round(Number(event.lagging)))}`;
    case "fault":
      return `${formatTime(Math.round(event.time))} fault ${String(event.fault)} ${event.phase === "end" ? "ends" : "begins"}${event.node ? ` on ${String(event.node)}` : ""}${event.sensor ? `/${String(event.sensor)}` : ""}`;
    default:
      return JSON.stringify(event);
  }
}


function parseDemo(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 0 || number > 10_000) throw new InvalidArgumentError(`expected a whole number of demo nodes from 0 (none) to 10000, not "${value}"`);
  return number;
}

function parseClock(value: string): number {
  const time = Date.parse(value);
  if (!Number.isFinite(time)) throw new InvalidArgumentError(`"${value}" is not a date and time: write e.g. 2026-06-21T12:00Z`);
  return time;
}

function parseCount(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1 || number > 100_000) throw new InvalidArgumentError(`expected a whole number of nodes from 1 to 100000, not "${value}"`);
  return number;
}

function parseInteger(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number)) throw new InvalidArgumentError(`expected a whole number, not "${value}"`);
  return number >>> 0;
}

function parseRate(value: string): number {
  const number = Number(value);
  if (!Number.isFinite(number) || number < 0) throw new InvalidArgumentError(`expected nodes per second, e.g. 50 (0 = all at once), not "${value}"`);
  return number;
}

function parsePositive(value: string): number {
  const number = Number(value);
  if (!Number.isFinite(number) || number <= 0) throw new InvalidArgumentError(`expected a positive number, not "${value}"`);
  return number;
}

function parseTime(value: string): number {
  try {
    return parseDuration(value);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}
