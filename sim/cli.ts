// A running simulation: built bundles on virtual boards, one shared SimClock, the embedded
// broker (or a real one), and one stream of events for the CLI, the live view and scripts:
//
//   board events   {time, node, boot, type: "boot" | "log" | "wifi" | "uncaught" | ..., ...}
//   MQTT messages  {time, type: "mqtt", topic, payload, qos, retain, client}   (what the broker saw)
//   the simulator  {time, type: "sim", what: "broker" | "started" | "stopping" | "stopped", ...}
//   overrun        {time, type: "sim", what: "overrun", phase: "begin" | "end", lag, maxLag?, lagging?}
//                  (real-time and --speed modes: the clock could not keep the nodes' schedule;
//                  "stopped" carries the run's summary as `overrun`: maxLag, lagging, episodes)
//
// `time` is the simulation clock in ms (it starts at 0 and runs at --speed, or jumps in
// --virtual mode). The board's seed comes from the master seed and the node's index, so the
// same seed and boards give the same run.
import { VirtualBoard } from "./board/board";
import { boardFromConfig } from "./board/from-config";
import type { NetworkFaults } from "./board/net";
import { runClock, SimClock, type ClockRun, type OverrunSummary } from "./board/scheduler";
import { performance } from "node:perf_hooks";
import { socketHost, type SocketHost } from "./board/socket-host";
import { startBroker, type BrokerMessage, type BrokerOptions, type EmbeddedBroker } from "./broker";
import type { NodeBundle } from "./fleet-build";
import { startMosquitto, type OwnMosquitto } from "./mosquitto";
import { watchBroker } from "./watch";
import { attachEnvironment, locationOf, type Location, type Site } from "./environment";

/** The simulated wall clock's default start: 2026-01-01T00:00Z (a winter midnight; the same every run). */
export const DEFAULT_EPOCH = Date.UTC(2026, 0, 1);

export interface SimEvent {
  time: number;
  type: string;
  node?: string;
  [key: string]: unknown;
}

export interface SimulationOptions {
  /** mqtt://host:port of a real broker; default: the embedded broker. */
  broker?: string;
  /** Start a real Mosquitto on a free port as the broker (broker-restart restarts it). */
  mosquitto?: boolean;
  seed?: number;
  /** Simulated wall-clock ms at the start (what SNTP tells the nodes; the hour of the day for the environment). Default 2026-01-01T00:00Z. */
  epoch?: number;
  /** Where each node is (default: from its id, see locationOf); the environment's signals depend on it. */
  location?: (bundle: NodeBundle, index: number) => Location;
  /** Where the nodes are on Earth (latitude, longitude, altitude); the weather's seed comes from `seed`. */
  site?: Omit<Site, "seed">;
  /** The seeded environment (default on); off leaves every sensor at its fixed physical values. */
  environment?: boolean;
  /** Real time x speed (default 1). */
  speed?: number;
  /** Event-driven time: as fast as the nodes' timers allow. */
  virtual?: boolean;
  /** Stop after this much simulated time, ms. */
  duration?: number;
  /** Serves HTTP on the embedded broker's WebSocket port (the web page). */
  http?: BrokerOptions["http"];
  /**
   * Real-time and --speed modes: timers this late (simulated ms) count as an overrun. Default:
   * 250 ms, or 10 ms of real time at high --speed (finer than that is the event loop's own jitter).
   */
  overrunThreshold?: number;
  /**
   * Nodes powered on per second of simulated time (each at a seeded moment within its slot),
   * so a big fleet does not open every connection at once. Default in real-time and --speed
   * modes: all at once up to 50 nodes, else 50 per second; in --virtual mode all at once
   * (nothing is lost by waiting there, and clones in step share the clock's steps, which is
   * several times faster). 0 = all at once.
   */
  connectRate?: number;
}

/** Default --connect-rate for fleets over this many nodes (nodes per second). */
export const DEFAULT_CONNECT_RATE = 50;

export interface SimNode {
  id: string;
  file: string;
  bundle: NodeBundle;
  board: VirtualBoard;
  location: Location;
}

export class Simulation {
  readonly clock = new SimClock();
  readonly nodes: SimNode[] = [];
  broker: EmbeddedBroker | undefined;
  /** The Mosquitto of --mosquitto. */
  mosquitto: OwnMosquitto | undefined;
  /** A node's network fault seam (a scenario's WiFi outage); read when the nodes are made, in start(). */
  networkFaults: ((node: string) => NetworkFaults | undefined) | undefined;
  /** Where the nodes' broker really is. */
  brokerAddress: { host: string; port: number } = { host: "127.0.0.1", port: 1883 };
  private readonly listeners = new Set<(event: SimEvent) => void>();
  private run: ClockRun | undefined;
  private unwatch: (() => Promise<void>) | undefined;
  private stopping: Promise<void> | undefined;
  private readonly held = new Set<Promise<unknown>>();

  /** Simulated wall-clock ms at clock time 0. */
  readonly epoch: number;

  constructor(
    private readonly bundles: NodeBundle[],
    private readonly options: SimulationOptions = {},
  ) {
    this.epoch = options.epoch ?? DEFAULT_EPOCH;
  }

  onEvent(listener: (event: SimEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Starts the broker (or connects to --broker), boots every node and runs the clock; resolves when the run ends (duration, or stop()). */
  async start(): Promise<void> {
    if (this.options.broker) {
      this.brokerAddress = parseBrokerUrl(this.options.broker);
      this.unwatch = await watchBroker(this.brokerAddress, (message) => this.message(message));
    } else if (this.options.mosquitto) {
      this.mosquitto = await startMosquitto();
      this.brokerAddress = { host: this.mosquitto.host, port: this.mosquitto.port };
      this.unwatch = await watchBroker(this.brokerAddress, (message) => this.message(message));
    } else {
      this.broker = await startBroker({ http: this.options.http });
      this.broker.onMessage((message) => this.message(message));
      this.brokerAddress = { host: this.broker.host, port: this.broker.port };
    }
    this.emit({ type: "sim", what: "broker", url: `mqtt://${this.brokerAddress.host}:${this.brokerAddress.port}`, embedded: !!this.broker, mosquitto: this.mosquitto ? true : undefined, ws: this.broker?.wsUrl });

    const seed = this.options.seed ?? 1;
    const site = { ...this.options.site, seed: mix(seed, 0x5175) };
    this.bundles.forEach((bundle, index) => {
      const mqtt = bundle.config.mqtt;
      const brokerPort = mqtt.port ?? (mqtt.tls ? 8883 : 1883);
      const { board, hardware } = boardFromConfig(bundle.config, bundle.code, {
        clock: this.clock,
        epoch: this.epoch,
        name: bundle.id,
        seed: mix(seed, index),
        keepEvents: false,
        logLimit: 200,
        // Only the board file's broker address leads anywhere: the embedded broker or --broker.
        network: { route: (host, port) => (host === mqtt.host && port === brokerPort ? this.brokerAddress : undefined), faults: this.networkFaults?.(bundle.id) },
      });
      board.onEvent((event) => this.emit(event as SimEvent));
      const location = this.options.location?.(bundle, index) ?? locationOf(bundle.id);
      if (this.options.environment !== false) {
        const nodeSeed = mix(seed, index);
        attachEnvironment(bundle.config, hardware, { clock: this.clock, epoch: this.epoch, site, location, seed: nodeSeed, record: (event) => board.record("world", { ...event }) });
      }
      this.nodes.push({ id: bundle.id, file: bundle.file, bundle, board, location });
    });
    const rate = this.options.connectRate ?? (!this.options.virtual && this.nodes.length > DEFAULT_CONNECT_RATE ? DEFAULT_CONNECT_RATE : 0);
    this.emit({ type: "sim", what: "started", nodes: this.nodes.length, seed, mode: this.options.virtual ? "virtual" : `speed ${this.options.speed ?? 1}`, connectRate: rate || undefined });
    if (!rate) this.nodes.forEach((node) => node.board.start());
    else {
      // node i powers on in its slot [i, i + 1) / rate seconds, at a seeded point within it
      const slot = 1000 / rate;
      this.nodes.forEach((node, index) => {
        const at = Math.floor(index * slot + (mix(seed ^ 0x5107, index) / 4294967296) * slot);
        if (at === 0) node.board.start();
        else this.clock.setTimeout(() => node.board.start(), at);
      });
    }
    const host = socketHost();
    this.run = runClock(
      this.clock,
      this.options.virtual
        ? // busy only while no timer is pending: runClock would otherwise wait for a socket instead of ending at --duration
          { virtual: true, until: this.options.duration, quiet: () => this.quiet(host), busy: () => host.open > 0 && this.clock.nextDue() === undefined }
        : {
            speed: this.options.speed ?? 1,
            until: this.options.duration,
            overrun: { threshold: this.options.overrunThreshold ?? Math.max(250, 10 * (this.options.speed ?? 1)), report: (event) => this.emit({ type: "sim", what: "overrun", ...event }) },
          },
    );
    await this.run.done;
  }

  /** Real-time and --speed modes: how well the clock kept the nodes' schedule (undefined in --virtual mode or before start). */
  overrun(): OverrunSummary | undefined {
    return this.options.virtual ? undefined : this.run?.overrun();
  }

  /**
   * Clean stop: every node shuts down (its 'kill' handlers run, so the firmware publishes
   * `offline` and disconnects), the broker sees them go (up to `drainMs`), then the broker stops.
   */
  stop(drainMs = 3000): Promise<void> {
    this.stopping ??= (async () => {
      this.emit({ type: "sim", what: "stopping" });
      this.run?.stop();
      const before = this.broker?.clients ?? 0;
      this.nodes.forEach((node) => node.board.shutdown());
      // Give the goodbye packets time to reach the broker: until no node client is left, or drainMs.
      const deadline = Date.now() + drainMs;
      while (Date.now() < deadline) {
        if (this.broker ? this.broker.clients === 0 : socketHost().open === 0) break;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      this.nodes.forEach((node) => node.board.dispose());
      await this.unwatch?.();
      await this.broker?.stop();
      await this.mosquitto?.stop();
      this.emit({ type: "sim", what: "stopped", clientsBefore: before, ...(this.overrun() ? { overrun: this.overrun() } : {}) });
    })();
    return this.stopping;
  }

  /** Restarts the broker the simulator runs (embedded, or --mosquitto); undefined with --broker. */
  restartBroker(): Promise<void> | undefined {
    return this.broker?.restart() ?? this.mosquitto?.restart();
  }

  /**
   * Outside work the timeline must wait for (a fault that restarts the broker): in --virtual
   * mode time does not jump while it is pending, so a scenario runs the same way every time.
   */
  hold(work: Promise<unknown>): void {
    const settled = work.then(
      () => {},
      () => {},
    );
    this.held.add(settled);
    void settled.then(() => this.held.delete(settled));
  }

  /**
   * Virtual time may jump once nothing is in flight: no held work, and, with the embedded
   * broker, every byte a node wrote read by the broker and every byte the broker wrote
   * received by the node, still so after the broker's event loop has had two turns to act on
   * what it read (aedes answers on later ticks; its answer shows up as bytes written). A loaded
   * machine can take far longer than any fixed quiet time to carry a CONNECT and its CONNACK,
   * so the byte counts decide, not a timer. Where they cannot (another broker, a TLS socket, a
   * connect not yet confirmed) 5 ms without a socket event stand in. Bounded at 2 s of real
   * time per step, so a stuck socket cannot stop the run.
   */
  private async quiet(host: SocketHost): Promise<void> {
    while (this.held.size > 0) await Promise.all(this.held);
    const deadline = performance.now() + 2000;
    for (;;) {
      const broker = this.broker;
      if (!broker || !host.accounted()) {
        await host.quiet(5);
        if (!broker || performance.now() > deadline) return;
      }
      const balanced = () =>
        host.flows().every((flow) => {
          const other = broker.flow(flow.localPort);
          return other === undefined || (other.read >= flow.written && flow.received >= other.written);
        });
      if (balanced()) {
        const activity = host.lastActivity;
        await new Promise((resolve) => setImmediate(resolve));
        await new Promise((resolve) => setImmediate(resolve));
        if (host.lastActivity === activity && host.accounted() && balanced()) return;
      }
      if (performance.now() > deadline) return;
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
  }

  private message(message: BrokerMessage): void {
    this.emit({ type: "mqtt", topic: message.topic, payload: message.payload.toString("utf8"), qos: message.qos, retain: message.retain, client: message.client });
  }

  /** Adds an event to the stream (the simulator's own, e.g. a scenario's faults); `time` defaults to now. */
  emit(event: Omit<SimEvent, "time"> & { time?: number }): void {
    const full = { ...event, time: event.time ?? this.clock.now() } as SimEvent;
    this.listeners.forEach((listener) => listener(full));
  }
}

/** mqtt://host:port (port 1883 when left out). */
export function parseBrokerUrl(url: string): { host: string; port: number } {
  const match = /^mqtt:\/\/([^:/]+)(?::(\d+))?\/?$/.exec(url);
  if (!match) throw new Error(`--broker ${url}: expected mqtt://host:port, e.g. mqtt://127.0.0.1:1883 (TLS and WebSocket brokers are not supported here)`);
  return { host: match[1]!, port: match[2] ? Number(match[2]) : 1883 };
}

/** "90s", "15m", "1h", "2d", "500ms", or plain milliseconds. */
export function parseDuration(text: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?$/.exec(text.trim());
  if (!match) throw new Error(`"${text}" is not a duration: write e.g. 90s, 15m, 1h or 2d`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[(match[2] ?? "ms") as "ms"];
  return Math.round(Number(match[1]) * unit);
}

/** A node's own seed from the master seed and its index (splitmix-style mixing). */
function mix(seed: number, index: number): number {
  let x = (seed ^ Math.imul(index + 1, 0x9e3779b9)) >>> 0;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b) >>> 0;
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35) >>> 0;
  return (x ^ (x >>> 16)) >>> 0;
}
