// Set-up for node tests: the node (firmware/node.ts) on a virtual clock with simulated
// sensors behind the real Espruino I2C adapter, fake pins, an in-memory Storage and a fake
// System; the network is real (Node transport) against a real Mosquitto, observed by a
// second MQTT client on real time. Waits are for conditions (checked after every turn of
// the event loop), never sleeps; virtual time advances in small steps while waiting so
// the node's timers (pump, readings, backoff) run.
import type { BoardConfig } from "../../boards/schema";
import { createClient, type MqttClient } from "../../firmware/mqtt/client";
import { createNode, type SensorNode } from "../../firmware/node";
import type { System } from "../../firmware/ports";
import { create as bme280 } from "../../hal/drivers/bme280";
import { create as digitalInput } from "../../hal/drivers/digital-input";
import { create as digitalOutput } from "../../hal/drivers/digital-output";
import { create as sht3x } from "../../hal/drivers/sht3x";
import { wrapI2C } from "../../hal/espruino/i2c";
import { codedError } from "../../hal/errors";
import type { DigitalPin, PinEvent } from "../../hal/gpio";
import type { Connection, Transport } from "../../hal/net";
import type { Platform } from "../../hal/platform";
import type { Storage } from "../../hal/storage";
import { SimBme280 } from "../../sim/devices/bme280";
import { SimI2C } from "../../sim/devices/i2c-bus";
import { SimSht3x } from "../../sim/devices/sht3x";
import { nodeTransport } from "../../sim/node-transport";
import { VirtualClock } from "../../sim/virtual-clock";
import { planNode } from "../../tools/plan";

export const WAIT = 20000;

export function memoryStorage(): Storage & { files: Record<string, string> } {
  const files: Record<string, string> = {};
  return {
    files,
    read: (name) => files[name],
    write: (name, data) => void (files[name] = data),
    erase: (name) => void delete files[name],
    list: () => Object.keys(files),
  };
}

export interface FakePin extends DigitalPin {
  level: boolean;
  /** An edge from the outside world (already debounced). */
  edge(level: boolean, time: number): void;
}

export function fakePin(): FakePin {
  const watchers: ((event: PinEvent) => void)[] = [];
  const pin: FakePin = {
    level: true,
    read: () => pin.level,
    write: (value) => void (pin.level = value),
    mode: () => undefined,
    watch(callback) {
      watchers.push(callback);
      return () => void watchers.splice(watchers.indexOf(callback), 1);
    },
    edge(level, time) {
      pin.level = level;
      for (const w of watchers.slice()) w({ state: level, time, lastTime: NaN });
    },
  };
  return pin;
}

export interface FakeSystem extends System {
  wall: number;
  sleeps: { ms: number; at: number }[];
  reboots: number;
}

export function fakeSystem(clock: VirtualClock, wall = 0): FakeSystem {
  const system: FakeSystem = {
    wall,
    sleeps: [],
    reboots: 0,
    // Before "SNTP" the wall clock reads 1970 plus uptime, as on the board.
    wallTime: () => (system.wall ? system.wall + clock.now() : clock.now()),
    resetReason: () => "power on",
    serial: () => "5c:cf:7f:12:34:56",
    freeVariables: () => 1234,
    maxSleep: 2_100_000,
    deepSleep: (ms) => void system.sleeps.push({ ms, at: clock.now() }),
    reboot: () => void system.reboots++,
  };
  return system;
}

/**
 * The Node transport, keeping each connection so a test can cut one like a network would.
 * `swallow(bytes)` returning true makes that write vanish (a link that stalls one way).
 */
export function capturing(swallow?: (bytes: Uint8Array) => boolean): Transport & { connections: Connection[] } {
  const connections: Connection[] = [];
  return {
    connections,
    connect(options, handlers) {
      const connection = nodeTransport.connect(options, handlers);
      const kept: Connection = swallow
        ? { write: (bytes) => void (swallow(bytes) || connection.write(bytes)), end: () => connection.end(), destroy: () => connection.destroy() }
        : connection;
      connections.push(kept);
      return kept;
    },
  };
}

let run = 0;
export const unique = (name: string) => `${name}-${process.pid}-${++run}`;

/** A board config as the loader would hand it (defaults applied where the node reads them). */
export function board(overrides: Partial<BoardConfig> & { mqtt: BoardConfig["mqtt"] }): BoardConfig {
  return {
    node: unique("node"),
    board: "ESP32",
    i2c: [{ name: "i2c0", scl: "D22", sda: "D21", bitrate: 100000 }],
    sensors: [{ name: "climate", type: "sht3x", bus: "i2c0", address: 0x44, interval: 10000 }],
    diagInterval: 300000,
    ...overrides,
  } as BoardConfig;
}

export interface Rig {
  clock: VirtualClock;
  storage: ReturnType<typeof memoryStorage>;
  system: FakeSystem;
  sim: SimI2C;
  sht: SimSht3x;
  bme: SimBme280;
  pins: Record<string, FakePin>;
  logs: string[];
  transport: ReturnType<typeof capturing>;
  config: BoardConfig;
  node: SensorNode;
  plan: ReturnType<typeof planNode>;
}

export interface RigOptions {
  clock?: VirtualClock;
  storage?: ReturnType<typeof memoryStorage>;
  system?: FakeSystem;
  /** Wall time at start (0: not synchronised yet). */
  wall?: number;
  /** The build's config hash (another one stands for a reflashed board file). */
  configHash?: string;
  transport?: ReturnType<typeof capturing>;
}

export function rig(config: BoardConfig, options: RigOptions = {}): Rig {
  const clock = options.clock ?? new VirtualClock(1000);
  const storage = options.storage ?? memoryStorage();
  const system = options.system ?? fakeSystem(clock, options.wall ?? 1_767_225_600_000 /* 2026-01-01 */);
  const sim = new SimI2C({ mode: "hardware", clock });
  sim.setup({ scl: "D22", sda: "D21", bitrate: 100000 });
  const sht = sim.attach(new SimSht3x({ clock, address: 0x44 }));
  const bme = sim.attach(new SimBme280({ clock, address: 0x76 }));
  const bus = wrapI2C(sim as never, false);
  const pins: Record<string, FakePin> = {};
  const logs: string[] = [];
  const platform: Platform = {
    clock,
    storage,
    log: (_level, message) => void logs.push(message),
    i2c: (name) => {
      if (name !== "i2c0") throw codedError("invalid-options", "no i2c bus named " + name);
      return bus;
    },
    oneWire: (name) => {
      throw codedError("invalid-options", "no 1-Wire bus named " + name);
    },
    pin: (name) => (pins[name] ??= fakePin()),
    analog: () => ({ read: () => 0.5 }),
  };
  const plan = planNode(config, "0.1.0-test");
  const transport = options.transport ?? capturing();
  const node = createNode({
    config,
    plan,
    discoveryCount: plan.discovery.length,
    discoveryMessage: (i) => plan.discovery[i],
    drivers: { sht3x, bme280, input: digitalInput, output: digitalOutput },
    platform,
    transport,
    system,
    firmwareVersion: "0.1.0-test",
    configHash: options.configHash ?? "cafe12345678",
    random: () => 0.5,
  });
  return { clock, storage, system, sim, sht, bme, pins, logs, transport, config, node, plan };
}

/** Yields to the event loop (socket I/O) once. */
export const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Waits until `condition` holds: after each turn of the event loop, virtual time moves
 * `step` ms (0: not at all). Fails after `WAIT` ms of real time.
 */
export async function until(condition: () => boolean, what: string, clock?: VirtualClock, step = 5): Promise<void> {
  const deadline = Date.now() + WAIT;
  for (;;) {
    if (condition()) return;
    if (Date.now() > deadline) throw new Error("timed out waiting for " + what);
    await new Promise<void>((resolve) => setTimeout(resolve, 0));
    if (clock && step > 0) clock.advance(step);
  }
}

/** Advances virtual time by `ms` in steps, letting socket I/O happen between them. */
export async function advance(clock: VirtualClock, ms: number, step = 5): Promise<void> {
  const end = clock.now() + ms;
  while (clock.now() < end) {
    await new Promise<void>((resolve) => setTimeout(resolve, 0));
    clock.advanceTo(Math.min(end, clock.now() + step));
  }
}

export interface Message {
  topic: string;
  payload: string;
  retain: boolean;
}

export interface Observer {
  client: MqttClient;
  /** SUBACKs received (the subscription is sent again after every reconnect). */
  subacks(): number;
  messages: Message[];
  on(topic: string): Message[];
  end(): void;
}

/** A second client on real time that records everything under `filter`. */
export async function observe(host: string, port: number, filter = "#"): Promise<Observer> {
  const messages: Message[] = [];
  let subscribed = 0;
  const client = createClient({
    clock: {
      now: () => performance.now(),
      setTimeout: (callback, ms) => setTimeout(callback, ms),
      clearTimeout: (handle) => {
        if (handle !== undefined) clearTimeout(handle as NodeJS.Timeout);
      },
    },
    transport: nodeTransport,
    server: { host, port },
    clientId: unique("observer"),
    keepAlive: 30,
    backoff: { min: 50, max: 200 },
    onMessage: (topic, payload, info) => void messages.push({ topic, payload: Buffer.from(payload).toString("utf8"), retain: info.retain }),
    onSubscribe: () => void subscribed++,
  });
  client.subscribe(filter, 1);
  client.connect();
  await until(() => subscribed > 0, "observer SUBACK");
  return {
    client,
    subacks: () => subscribed,
    messages,
    on: (topic) => messages.filter((m) => m.topic === topic),
    end: () => client.end(),
  };
}

/** What is retained on `topic` now, seen by a fresh subscriber ("" when nothing arrives by a marker). */
export async function retained(host: string, port: number, topic: string): Promise<string | undefined> {
  const o = await observe(host, port, topic);
  // The broker sends retained messages right after SUBACK: a round trip after that has them.
  const marker = unique("marker/x");
  const m = await observe(host, port, marker);
  o.client.subscribe(marker, 1);
  m.client.publish(marker, "x", 1, false);
  await until(() => o.on(marker).length > 0, "marker");
  o.end();
  m.end();
  const found = o.messages.filter((x) => x.topic === topic && x.retain);
  return found.length ? found[found.length - 1]!.payload : undefined;
}
