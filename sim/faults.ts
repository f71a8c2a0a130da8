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
//   broker-restart the embedded broker drops every client and listens again, empty (broker.restart);
//                  with --mosquitto, that Mosquitto is stopped (SIGTERM) and started again
//   socket-drop    the broker side of each of the node's open sockets vanishes (LiveSocket.drop)
//   power-loss     power off and on at once: no 'kill' handlers, RAM lost, Storage kept (powerCycle)
//   i2c-nack       the sensor's address stops acknowledging on its bus for `duration` (1-Wire: no presence)
//   device-gone    the sensor is unplugged for `duration`; it comes back powered up from scratch
//   latency        every chunk each way between the node and the broker arrives `delay` ms later (in order)
//   loss           each chunk is lost with `probability` and retransmitted, as TCP would: it arrives
//                  after the sender's retransmission timeout (doubling at each further loss), and
//                  what follows waits behind it (head-of-line blocking). MQTT runs on TCP, so a
//                  lost segment is a stall, never missing data; after lwIP's 12 (the node's
//                  side) or Linux's 15 (the broker's) retransmissions the connection is reset.
//   half-open      the broker side of the node's open connections goes silent (nothing either way, no
//                  FIN or RST reaches the node): the node must notice with its keepalive. Our real
//                  socket to the broker stays open until the node gives up on it and closes it.
//   i2c-stuck      SDA held low on one bus for `duration`: every transfer on it fails ("bus busy")
//   crc            the sensor (SHT3x, AHT20, DS18B20) sends wrong checksums for `duration`
//   clock-jump     the board's real-time clock (getTime, Date) jumps by `by`; timers are not moved
import type { SensorConfig } from "../boards/schema";
import { defaultAddress } from "../tools/config";
import type { WiredHardware } from "./board/hardware";
import type { SimEvent, SimNode, Simulation } from "./cli";
import { romString } from "./devices/onewire-bus";
import type { NodeBundle } from "./fleet-build";
import type { LiveSocket } from "./board/net";
import { field, formatTime, ScenarioError, WITH_CRC, type Expectation, type FaultSpec, type Scenario } from "./scenario";

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
    if (fault.fault === "broker-restart" && !options.embeddedBroker) problems.push(`${fault.source}: broker-restart restarts the broker the simulator runs (the embedded one, or --mosquitto); with --broker, restart your broker yourself`);
    const targets = fault.node === undefined || fault.node === "random" ? bundles : bundles.filter((b) => matches(fault.node!, b.id));
    if (targets.length === 0) problems.push(`${field(fault.source, "node")}: no node is called "${fault.node}" (nodes: ${bundles.map((b) => b.id).join(", ")})`);
    if (fault.bus !== undefined) {
      for (const bundle of targets) {
        const buses = [...(bundle.config.i2c ?? []).map((b) => b.name), ...(bundle.config.onewire ?? []).map((b) => b.name)];
        if (!buses.includes(fault.bus)) problems.push(`${field(fault.source, "bus")}: node ${bundle.id} has no bus "${fault.bus}" (its buses: ${buses.join(", ") || "none"})`);
      }
    }
    if (fault.sensor === undefined) continue;
    for (const bundle of targets) {
      const sensor = (bundle.config.sensors ?? []).find((s) => s.name === fault.sensor);
      if (!sensor) problems.push(`${field(fault.source, "sensor")}: node ${bundle.id} has no sensor "${fault.sensor}" (its sensors: ${(bundle.config.sensors ?? []).map((s) => s.name).join(", ") || "none"})`);
      else if (sensor.type === "analog") problems.push(`${field(fault.source, "sensor")}: "${fault.sensor}" on ${bundle.id} is an analog pin, not on a bus; ${fault.fault} needs an I2C or 1-Wire sensor`);
      else if (fault.fault === "crc" && !WITH_CRC.includes(sensor.type)) problems.push(`${field(fault.source, "sensor")}: "${fault.sensor}" on ${bundle.id} is a ${sensor.type}, which sends no CRC; crc needs one of ${WITH_CRC.join(", ")}`);
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
  /** Per node: latency and loss in force, connections gone half-open, and the order of chunks in flight. */
  private readonly links = new Map<string, Link>();
  private readonly seed: number;

  constructor(
    private readonly simulation: Simulation,
    private readonly scenario: Scenario,
    options: { seed?: number } = {},
  ) {
    this.seed = options.seed ?? 1;
    this.random = mulberry32((this.seed ^ 0x5ce7a210) >>> 0);
    const patterns = scenario.expect.map((e) => e.topic.split("{node}").join("+"));
    // While a node's access point is gone its open connections stall: what either side sends
    // waits (TCP retransmits it) and arrives, in order, once the link is back. New connects
    // fail with "no route" meanwhile (the station is offline). See outage() for the long ones.
    simulation.networkFaults = (id) => ({
      transfer: (direction, data, deliver, socket) => {
        const link = this.links.get(id);
        if (link?.silent.has(socket)) return; // half-open: it never arrives, nothing says so
        const pass = link ? () => packets(link, socket, direction, data).forEach((part) => this.carry(id, link, direction, () => deliver(part), socket)) : () => deliver();
        const held = this.stalled.get(id);
        if (held) held.push(pass);
        else pass();
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
        const restart = simulation.restartBroker();
        if (!restart) return;
        note("begin");
        // virtual time waits for the restart, so the nodes' reconnects happen at the same moments every run
        simulation.hold(restart.then(() => note("end")));
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
      case "latency":
      case "loss": {
        const link = this.link(node!.id);
        const setting = spec.fault === "latency" ? { delay: spec.delay ?? 0 } : { probability: spec.probability ?? 0 };
        note("begin", { duration: spec.duration, ...setting });
        Object.assign(link, setting);
        later(() => {
          if (spec.fault === "latency") link.delay = 0;
          else link.probability = 0;
          note("end");
        });
        return;
      }
      case "half-open": {
        const link = this.link(node!.id);
        const sockets = node!.board.sockets;
        sockets.forEach((socket) => link.silent.add(socket));
        note("begin", { sockets: sockets.length });
        return;
      }
      case "clock-jump":
        note("begin", { by: spec.by });
        node!.board.jumpClock(spec.by ?? 0);
        return;
      case "i2c-stuck": {
        const target = stuckTarget(node!, spec.bus!);
        if (!target) return;
        note("begin", { bus: spec.bus, duration: spec.duration });
        target.inject("stuck");
        later(() => {
          target.clear("stuck");
          note("end", { bus: spec.bus });
        });
        return;
      }
      case "crc":
      case "i2c-nack":
      case "device-gone": {
        const fault = spec.fault === "i2c-nack" ? "nack" : spec.fault === "crc" ? "crc" : "gone";
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

  private link(id: string): Link {
    let link = this.links.get(id);
    if (!link) {
      let hash = this.seed >>> 0;
      for (let i = 0; i < id.length; i++) hash = Math.imul(hash ^ id.charCodeAt(i), 0x01000193) >>> 0;
      link = { delay: 0, probability: 0, silent: new Set(), due: new WeakMap(), partial: new WeakMap(), key: hash, connections: 0 };
      this.links.set(id, link);
    }
    return link;
  }

  /**
   * One chunk over a link with latency and loss: it arrives after the delay plus a
   * retransmission timeout per loss (seeded draws), never before a chunk sent ahead of it.
   */
  private carry(id: string, link: Link, direction: "send" | "receive", deliver: () => void, socket: LiveSocket): void {
    const clock = this.simulation.clock;
    const now = clock.now();
    let wait = link.delay;
    let losses = 0;
    const tcp = TCP[direction];
    let order = link.due.get(socket);
    if (!order) link.due.set(socket, (order = { send: 0, receive: 0, connection: link.connections++, packets: { send: 0, receive: 0 } }));
    // one draw per packet and transmission, from (seed, node, connection, direction, packet
    // number): the same packets are lost on a rerun, whatever else happens meanwhile
    const packet = order.packets[direction]++;
    const draw = (attempt: number) => unit(link.key, order.connection, direction === "send" ? 1 : 2, packet, attempt);
    while (link.probability > 0 && draw(losses) < link.probability) {
      wait += Math.min(tcp.rto * 2 ** losses, tcp.maxRto);
      if (++losses > tcp.retries) {
        // the sender's stack gives up and resets the connection
        const node = this.simulation.nodes.find((n) => n.id === id);
        this.simulation.emit({ type: "sim", what: "fault", fault: "loss", phase: "reset", node: id, direction });
        if (node) this.dropSockets(node);
        return;
      }
    }
    const due = Math.max(now + wait, order[direction]);
    if (due <= now) return deliver();
    order[direction] = due;
    clock.setTimeout(deliver, due - now);
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

/**
 * The chunk cut at MQTT packet boundaries (fixed header + remaining length [MQTT-2.2.3]), so
 * each packet gets its own loss draw and a rerun draws the same, however the host's TCP stack
 * happened to cut the stream. A partial packet waits for the rest.
 */
function packets(link: Link, socket: LiveSocket, direction: "send" | "receive", data: string): string[] {
  let buffers = link.partial.get(socket);
  if (!buffers) link.partial.set(socket, (buffers = { send: "", receive: "" }));
  let stream = buffers[direction] + data;
  const out: string[] = [];
  for (;;) {
    let length = 0;
    let shift = 0;
    let index = 1;
    for (; index < stream.length && index < 5; index++) {
      const byte = stream.charCodeAt(index);
      length += (byte & 0x7f) << shift;
      shift += 7;
      if (!(byte & 0x80)) break;
    }
    if (index >= stream.length || index >= 5) break;
    const end = index + 1 + length;
    if (end > stream.length) break;
    out.push(stream.slice(0, end));
    stream = stream.slice(end);
  }
  buffers[direction] = stream;
  return out;
}

interface Link {
  /** Bytes of a packet not complete yet, per connection and direction. */
  partial: WeakMap<LiveSocket, { send: string; receive: string }>;
  /** Extra one-way delay, ms. */
  delay: number;
  /** Chance a chunk is lost (and retransmitted). */
  probability: number;
  /** Connections gone half-open: nothing passes, nothing is said. */
  silent: Set<LiveSocket>;
  /** Per connection: when the last chunk in flight each way arrives (TCP keeps order), its number, packets so far. */
  due: WeakMap<LiveSocket, { send: number; receive: number; connection: number; packets: { send: number; receive: number } }>;
  /** The node's seed for loss draws, and its connections so far. */
  key: number;
  connections: number;
}

/**
 * Retransmission on each side: the node's lwIP (initial RTO about 1 s on a LAN, doubling,
 * TCP_MAXRTX 12) and the broker's Linux (TCP_RTO_MIN 200 ms, tcp_retries2 15), both capped at 60 s.
 */
const TCP = {
  send: { rto: 1000, retries: 12, maxRto: 60_000 },
  receive: { rto: 200, retries: 15, maxRto: 60_000 },
};

/** The bus a stuck-bus fault holds: an I2C bus or a 1-Wire bus by its name in the board file. */
function stuckTarget(node: SimNode, name: string): { inject(fault: "stuck"): void; clear(fault: "stuck"): void } | undefined {
  const hardware = node.board.hardware as WiredHardware;
  return hardware.i2cBuses?.[name] ?? hardware.oneWireBuses?.[name];
}

/** The bus and device a sensor fault acts on: the sensor's I2C address, or its 1-Wire ROM. */
function busTarget(node: SimNode, name: string): { inject(fault: "nack" | "gone" | "crc"): void; clear(fault: "nack" | "gone" | "crc"): void } | undefined {
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

/** A number in [0, 1) from a few integers (a murmur-style mix): a draw that depends on nothing else. */
function unit(...parts: number[]): number {
  let h = 0x9e3779b9;
  for (const part of parts) {
    h = Math.imul(h ^ (part >>> 0), 0x85ebca6b) >>> 0;
    h = (h ^ (h >>> 13)) >>> 0;
    h = Math.imul(h, 0xc2b2ae35) >>> 0;
    h = (h ^ (h >>> 16)) >>> 0;
  }
  return h / 4294967296;
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
