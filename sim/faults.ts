// A scenario (scenario.ts) running on a Simulation: each fault scheduled on the simulation
// clock (so it lands at the same virtual moment every run, with every random pick made from
// the master seed), each fault's begin and end in the event stream as
//   {type: "sim", what: "fault", fault, phase: "begin" | "end", node?, sensor?}
// and the expectations judged against the MQTT messages the broker routed before the stop.
//
//   const run = new ScenarioRun(simulation, scenario, { seed });   // before simulation.start()
//   await simulation.start(); await simulation.stop();
//   run.results()  ->  [{ met, sentence }]
//
// What each fault does, through the seams the virtual board already has:
//   wifi-drop      the node's access point goes away (WifiNetwork.drop) and comes back after `duration`
//   broker-restart the embedded broker drops every client and listens again, empty (broker.restart)
//   socket-drop    the broker side of each of the node's open sockets vanishes (LiveSocket.drop)
//   power-loss     power off and on at once: no 'kill' handlers, RAM lost, Storage kept (powerCycle)
//   i2c-nack       the sensor's address stops acknowledging on its bus for `duration` (1-Wire: no presence)
//   device-gone    the sensor is unplugged for `duration`; it comes back powered up from scratch
import type { SensorConfig } from "../boards/schema";
import { defaultAddress } from "../tools/config";
import type { WiredHardware } from "./board/hardware";
import type { SimEvent, SimNode, Simulation } from "./cli";
import { romString } from "./devices/onewire-bus";
import type { NodeBundle } from "./fleet-build";
import { field, formatTime, ScenarioError, type Expectation, type FaultSpec, type Scenario } from "./scenario";

export interface ExpectationResult {
  expectation: Expectation;
  /** The node a {node} topic was expanded for. */
  node?: string;
  met: boolean;
  sentence: string;
}

interface Seen {
  time: number;
  topic: string;
  payload: string;
}

/** Checks node and sensor references against the bundles before anything starts. */
export function checkScenario(scenario: Scenario, bundles: NodeBundle[], options: { embeddedBroker: boolean }): void {
  const problems: string[] = [];
  for (const fault of scenario.faults) {
    if (fault.fault === "broker-restart" && !options.embeddedBroker) problems.push(`${fault.source}: broker-restart restarts the embedded broker; with --broker, restart your broker yourself`);
    const targets = fault.node === undefined || fault.node === "random" ? bundles : bundles.filter((b) => matches(fault.node!, b.id));
    if (targets.length === 0) problems.push(`${field(fault.source, "node")}: no node is called "${fault.node}" (nodes: ${bundles.map((b) => b.id).join(", ")})`);
    if (fault.sensor === undefined) continue;
    for (const bundle of targets) {
      const sensor = (bundle.config.sensors ?? []).find((s) => s.name === fault.sensor);
      if (!sensor) problems.push(`${field(fault.source, "sensor")}: node ${bundle.id} has no sensor "${fault.sensor}" (its sensors: ${(bundle.config.sensors ?? []).map((s) => s.name).join(", ") || "none"})`);
      else if (sensor.type === "analog") problems.push(`${field(fault.source, "sensor")}: "${fault.sensor}" on ${bundle.id} is an analog pin, not on a bus; ${fault.fault} needs an I2C or 1-Wire sensor`);
    }
  }
  if (problems.length) throw new ScenarioError(`the scenario does not fit these boards:\n  ${problems.join("\n  ")}`);
}

export class ScenarioRun {
  private readonly seen: Seen[] = [];
  private endedAt: number | undefined;
  private random: () => number;
  /** Per node in a WiFi outage: the chunks waiting for the link. */
  private readonly stalled = new Map<string, (() => void)[]>();

  constructor(
    private readonly simulation: Simulation,
    private readonly scenario: Scenario,
    options: { seed?: number } = {},
  ) {
    this.random = mulberry32(((options.seed ?? 1) ^ 0x5ce7a210) >>> 0);
    const patterns = scenario.expect.map((e) => e.topic.split("{node}").join("+"));
    // While a node's access point is gone its open connections stall: what either side sends
    // waits (TCP retransmits it) and arrives, in order, once the link is back. New connects
    // fail with "no route" meanwhile (the station is offline). See outage() for the long ones.
    simulation.networkFaults = (id) => ({
      transfer: (_direction, _data, deliver) => {
        const held = this.stalled.get(id);
        if (held) held.push(deliver);
        else deliver();
      },
    });
    simulation.onEvent((event) => this.observe(event, patterns));
  }

  /** Every expectation, expanded per node where its topic says {node}; judged on what the broker routed before the stop. */
  results(): ExpectationResult[] {
    const ids = this.simulation.nodes.map((n) => n.id);
    const results: ExpectationResult[] = [];
    for (const expectation of this.scenario.expect) {
      const nodes = expectation.topic.includes("{node}") ? ids : [undefined];
      for (const node of nodes) results.push(this.judge(expectation, node));
    }
    return results;
  }

  private observe(event: SimEvent, patterns: string[]): void {
    if (event.type === "sim" && event.what === "started") this.schedule();
    else if (event.type === "sim" && event.what === "stopping") this.endedAt ??= event.time;
    else if (event.type === "mqtt" && this.endedAt === undefined) {
      const topic = String(event.topic);
      if (patterns.some((p) => topicMatches(p, topic))) this.seen.push({ time: event.time, topic, payload: String(event.payload) });
    }
  }

  private schedule(): void {
    const clock = this.simulation.clock;
    const nodes = this.simulation.nodes;
    for (const spec of this.scenario.faults) {
      // picks in file order, so the same seed gives the same times and nodes
      const at = Array.isArray(spec.at) ? spec.at[0] + Math.floor(this.random() * (spec.at[1] - spec.at[0] + 1)) : spec.at;
      const targets = spec.fault === "broker-restart" ? [undefined] : this.targets(spec, nodes);
      for (const node of targets) clock.setTimeout(() => this.begin(spec, node), Math.max(0, at - clock.now()));
    }
  }

  private targets(spec: FaultSpec, nodes: SimNode[]): SimNode[] {
    if (spec.node === undefined) return nodes;
    if (spec.node === "random") return nodes.length ? [nodes[Math.floor(this.random() * nodes.length)]!] : [];
    return nodes.filter((n) => matches(spec.node!, n.id));
  }

  private begin(spec: FaultSpec, node: SimNode | undefined): void {
    const simulation = this.simulation;
    const note = (phase: "begin" | "end", extra: Record<string, unknown> = {}) =>
      simulation.emit({ type: "sim", what: "fault", fault: spec.fault, phase, ...(node ? { node: node.id } : {}), ...(spec.sensor ? { sensor: spec.sensor } : {}), ...extra });
    const later = (fn: () => void) => simulation.clock.setTimeout(fn, spec.duration ?? 0);
    switch (spec.fault) {
      case "broker-restart": {
        const broker = simulation.broker;
        if (!broker) return;
        note("begin");
        // virtual time waits for the restart, so the nodes' reconnects happen at the same moments every run
        simulation.hold(broker.restart().then(() => note("end")));
        return;
      }
      case "wifi-drop":
        note("begin", { duration: spec.duration });
        this.outage(node!, spec.duration ?? 0);
        later(() => note("end"));
        return;
      case "socket-drop":
        note("begin", { sockets: node!.board.sockets.length });
        this.dropSockets(node!);
        return;
      case "power-loss":
        note("begin", { boot: node!.board.boots + 1 });
        node!.board.powerCycle();
        return;
      case "i2c-nack":
      case "device-gone": {
        const fault = spec.fault === "i2c-nack" ? "nack" : "gone";
        const target = busTarget(node!, spec.sensor!);
        if (!target) return;
        note("begin", { duration: spec.duration });
        target.inject(fault);
        later(() => {
          target.clear(fault);
          note("end");
        });
        return;
      }
    }
  }

  /**
   * A WiFi outage of `duration` on one node. A connection silent for longer than 1.5 x the
   * node's keepalive is closed by the broker [MQTT-3.1.2-24], which then publishes the will;
   * the node learns it when its retransmissions are answered with a reset. The embedded broker
   * keeps its keepalive on real time, which --virtual outruns, so the simulator does it on the
   * simulation clock: at that moment the node's sockets are dropped (the node cannot reconnect
   * before the link is back anyway). Shorter outages just stall the connection.
   */
  private outage(node: SimNode, duration: number): void {
    const clock = this.simulation.clock;
    const held: (() => void)[] = [];
    this.stalled.set(node.id, held);
    node.board.wifiNetwork.drop();
    const grace = 1.5 * (node.bundle.config.mqtt.keepAlive ?? 60) * 1000;
    const timeout = duration > grace ? clock.setTimeout(() => {
      held.length = 0;
      this.dropSockets(node);
    }, grace) : undefined;
    clock.setTimeout(() => {
      if (timeout !== undefined) clock.clearTimeout(timeout);
      // the held data flows once the station has joined the access point again
      const off = node.board.onEvent((event) => {
        if (event.type !== "wifi" || event.state !== "connected") return;
        off();
        if (this.stalled.get(node.id) === held) this.stalled.delete(node.id);
        held.splice(0).forEach((deliver) => deliver());
      });
      node.board.wifiNetwork.restore();
    }, duration);
  }

  /**
   * Drops a node's sockets; virtual time waits (up to a real second) until the embedded broker
   * has seen its client go, so the will lands at this moment and not whenever the real close
   * arrives.
   */
  private dropSockets(node: SimNode): void {
    const sockets = node.board.sockets;
    const broker = this.simulation.broker;
    const before = broker?.clients ?? 0;
    sockets.forEach((socket) => socket.drop());
    if (!broker || sockets.length === 0) return;
    this.simulation.hold(
      new Promise<void>((resolve) => {
        const deadline = Date.now() + 1000;
        const poll = () => (broker.clients < before || Date.now() > deadline ? resolve() : setTimeout(poll, 2));
        poll();
      }),
    );
  }

  private judge(expectation: Expectation, node: string | undefined): ExpectationResult {
    const topic = node === undefined ? expectation.topic : expectation.topic.split("{node}").join(node);
    const [from, to] = expectation.within;
    const what = `${topic}${expectation.payload !== undefined ? ` = ${JSON.stringify(expectation.payload)}` : ""}`;
    const window = `between ${formatTime(from)} and ${formatTime(to)}`;
    const onTopic = this.seen.filter((m) => topicMatches(topic, m.topic));
    const hit = onTopic.find((m) => m.time >= from && m.time <= to && (expectation.payload === undefined || m.payload === expectation.payload));
    const head = `${expectation.source}${node ? ` for ${node}` : ""}`;
    if (expectation.absent) {
      if (hit) return { expectation, node, met: false, sentence: `${head} not met: ${hit.topic} ${JSON.stringify(hit.payload)} at ${formatTime(hit.time)}, but nothing like ${what} should appear ${window}.` };
      return { expectation, node, met: true, sentence: `${head} met: no ${what} ${window}.` };
    }
    if (hit) return { expectation, node, met: true, sentence: `${head} met: ${hit.topic} ${JSON.stringify(hit.payload)} at ${formatTime(hit.time)}.` };
    const ended = this.endedAt ?? this.simulation.clock.now();
    const inWindow = onTopic.filter((m) => m.time >= from && m.time <= to);
    const last = [...onTopic].reverse().find((m) => m.time <= to);
    const why =
      ended < to
        ? `the run ended at ${formatTime(ended)}, before the window closed (run longer: --duration ${Math.ceil(to / 1000)}s)`
        : inWindow.length
          ? `${inWindow.length} message${inWindow.length === 1 ? "" : "s"} on it then, none with that payload (last: ${JSON.stringify(inWindow[inWindow.length - 1]!.payload)} at ${formatTime(inWindow[inWindow.length - 1]!.time)})`
          : last
            ? `nothing on it then; the last before was ${JSON.stringify(last.payload)} at ${formatTime(last.time)}`
            : "nothing was ever published on it";
    return { expectation, node, met: false, sentence: `${head} not met: expected ${what} ${window}; ${why}.` };
  }
}

/** The bus and device a sensor fault acts on: the sensor's I2C address, or its 1-Wire ROM. */
function busTarget(node: SimNode, name: string): { inject(fault: "nack" | "gone"): void; clear(fault: "nack" | "gone"): void } | undefined {
  const hardware = node.board.hardware as WiredHardware;
  const sensor = (node.bundle.config.sensors ?? []).find((s: SensorConfig) => s.name === name);
  if (!sensor || sensor.type === "analog") return undefined;
  if (sensor.type === "ds18b20") {
    const bus = hardware.oneWireBuses?.[sensor.bus];
    const device = hardware.devices?.[name] as { rom: Uint8Array } | undefined;
    if (!bus || !device) return undefined;
    const rom = romString(device.rom);
    return { inject: (fault) => bus.inject(fault, rom), clear: (fault) => bus.clear(fault, rom) };
  }
  const bus = hardware.i2cBuses?.[sensor.bus];
  if (!bus) return undefined;
  const address = sensor.address ?? defaultAddress(sensor.type);
  return { inject: (fault) => bus.inject(fault, address), clear: (fault) => bus.clear(fault, address) };
}

/** A node id against an id or a pattern with *. */
function matches(pattern: string, id: string): boolean {
  if (!pattern.includes("*")) return pattern === id;
  const parts = pattern.split("*").map((p) => p.replace(/[.+?^${}()|[\]\\]/g, "\\$&"));
  return new RegExp(`^${parts.join(".*")}$`).test(id);
}

/** MQTT topic filter matching (+ one level, # the rest) [MQTT-4.7.1]. */
export function topicMatches(filter: string, topic: string): boolean {
  const f = filter.split("/");
  const t = topic.split("/");
  for (let i = 0; i < f.length; i++) {
    if (f[i] === "#") return true;
    if (i >= t.length) return false;
    if (f[i] !== "+" && f[i] !== t[i]) return false;
  }
  return f.length === t.length;
}

function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
