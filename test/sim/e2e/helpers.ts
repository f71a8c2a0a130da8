// End-to-end set-up: the REAL built bundle of a board file on a VirtualBoard (sim/board), on
// virtual time (Simulation --virtual), against a real broker the test starts and stops:
// Mosquitto (test/support/mosquitto.ts) or the embedded aedes broker (sim/broker.ts). The
// messages are seen by the firmware harness's observer (an MQTT client on real time), so a
// test judges what a subscriber of the broker really received.
//
// Faults that take real time (stopping or starting a broker, waiting for the observer to
// resubscribe) run through Simulation.hold(): virtual time stands still until they are done,
// so the node never races ahead of them. So do the node's round trips to the broker
// (roundTrips below).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { startBroker, type EmbeddedBroker } from "../../../sim/broker";
import { Simulation, type SimEvent } from "../../../sim/cli";
import { buildFleet, type NodeBundle } from "../../../sim/fleet-build";
import type { NetworkFaults } from "../../../sim/board/net";
import type { WiredHardware } from "../../../sim/board/hardware";
import { startMosquitto } from "../../support/mosquitto";
import { observe, until, type Observer } from "../../firmware/harness";

export type BrokerKind = "mosquitto" | "aedes";

/** A broker the test can take down and bring back on the same port. */
export interface TestBroker {
  kind: BrokerKind;
  host: string;
  port: number;
  /** Gone: connections dropped, new ones refused. */
  stop(): Promise<void>;
  /** Back on the same port (empty: retained messages are forgotten, as without persistence). */
  start(): Promise<void>;
  close(): Promise<void>;
  /** What the broker logged (Mosquitto only; "" for aedes). */
  log(): string;
}

export async function startTestBroker(kind: BrokerKind): Promise<TestBroker> {
  if (kind === "mosquitto") {
    const mosquitto = await startMosquitto();
    return { kind, host: mosquitto.host, port: mosquitto.port, stop: () => mosquitto.stop(), start: () => mosquitto.restart(), close: () => mosquitto.close(), log: () => mosquitto.log() };
  }
  let broker: EmbeddedBroker | undefined = await startBroker({ wsPort: false });
  const port = broker.port;
  return {
    kind,
    host: broker.host,
    port,
    async stop() {
      await broker?.stop();
      broker = undefined;
    },
    async start() {
      broker = await startBroker({ port, wsPort: false });
    },
    async close() {
      await broker?.stop();
      broker = undefined;
    },
    log: () => "",
  };
}

/** The address in every test board file: the simulation routes it to the test's broker. */
export const BROKER_HOST = "broker.test";

/** A board file for the tests: ESP32 on WiFi, one SHT3x every 10 s, JSON payloads (device, value, timestamp, seq). */
export function boardFile(node: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    node,
    board: "ESP32",
    wifi: { ssid: "lab", password: "${WIFI_PASSWORD}" },
    mqtt: { host: BROKER_HOST, keepAlive: 60 },
    i2c: [{ name: "i2c0", scl: "D22", sda: "D21" }],
    sensors: [{ name: "climate", type: "sht3x", bus: "i2c0", interval: 10000 }],
    payload: "json",
    discovery: false,
    ...extra,
  };
}

/** Builds a board file (written to a temporary folder) into the bundle `sensornode build` makes. */
export async function buildNode(board: Record<string, unknown>): Promise<NodeBundle> {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), "sensornode-e2e-"));
  try {
    const file = path.join(folder, `${String(board.node)}.json`);
    fs.writeFileSync(file, JSON.stringify(board));
    const [bundle] = await buildFleet([file]);
    return bundle!;
  } finally {
    fs.rmSync(folder, { recursive: true, force: true });
  }
}

export interface Run {
  simulation: Simulation;
  events: SimEvent[];
  /** The board's log lines and events (boot, sleep, sntp-sync ...). */
  boardEvents(type: string): SimEvent[];
}

/**
 * Runs `bundles` for `duration` ms of virtual time against `broker`. `at`: callbacks at
 * virtual times; one that returns a promise holds virtual time until it settles.
 */
export async function runNodes(
  bundles: NodeBundle[],
  broker: TestBroker,
  options: { duration: number; seed?: number; at?: [number, (simulation: Simulation) => void | Promise<unknown>][] },
): Promise<Run> {
  const simulation = new Simulation(bundles, { virtual: true, duration: options.duration, seed: options.seed ?? 1, environment: false, broker: `mqtt://${broker.host}:${broker.port}` });
  simulation.networkFaults = () => roundTrips(simulation);
  const events: SimEvent[] = [];
  simulation.onEvent((event) => {
    events.push(event);
    if (event.type === "sim" && event.what === "started")
      for (const [time, action] of options.at ?? [])
        simulation.clock.setTimeout(() => {
          const result = action(simulation);
          if (result) simulation.hold(result);
        }, time);
  });
  await simulation.start();
  await simulation.stop();
  return { simulation, events, boardEvents: (type) => events.filter((e) => e.node !== undefined && e.type === type) };
}

/** MQTT packet types the broker answers (CONNECT, PUBREL, SUBSCRIBE, UNSUBSCRIBE, PINGREQ; PUBLISH only at QoS 1 and 2). */
const ASKS = [1, 6, 8, 10, 12];
/** The answers: CONNACK, PUBACK, PUBREC, PUBCOMP, SUBACK, UNSUBACK, PINGRESP. */
const ANSWERS = [2, 4, 5, 7, 9, 11, 13];

/**
 * A node's link where a round trip to the broker takes no virtual time: while the node waits
 * for an answer, virtual time stands still (up to 2 s of real time). Without it, a broker
 * that answers slower than the simulation's quiet window (a few ms, easily missed on a loaded
 * machine) lets virtual time run on into CONNACK timeouts and awake budgets, and what a test
 * sees depends on the machine's load. One packet per write, as the firmware's client sends.
 */
function roundTrips(simulation: Simulation): NetworkFaults {
  let waiting = 0;
  let release: (() => void) | undefined;
  return {
    transfer(direction, data, deliver) {
      deliver();
      if (direction === "receive") {
        for (let at = 0; at + 1 < data.length; ) {
          if (ANSWERS.includes(data.charCodeAt(at) >> 4) && waiting > 0) waiting--;
          let length = 0;
          let shift = 0;
          let next = at + 1;
          for (;;) {
            const byte = data.charCodeAt(next++);
            length += (byte & 127) << shift;
            shift += 7;
            if (!(byte & 128) || next >= data.length) break;
          }
          at = next + length;
        }
        if (waiting === 0 && release) release();
        return;
      }
      const first = data.charCodeAt(0);
      const type = first >> 4;
      if (!(ASKS.includes(type) || (type === 3 && (first & 6) !== 0))) return;
      waiting++;
      if (release) return;
      simulation.hold(
        new Promise<void>((resolve) => {
          const timer = setTimeout(() => release?.(), 2000);
          release = () => {
            clearTimeout(timer);
            release = undefined;
            waiting = 0;
            resolve();
          };
        }),
      );
    },
  };
}

/** The simulated devices of node `index` (set physical values between readings). */
export function hardware(simulation: Simulation, index = 0): WiredHardware {
  return simulation.nodes[index]!.board.hardware as WiredHardware;
}

/** Takes the broker down (virtual time waits). */
export function brokerDown(broker: TestBroker): () => Promise<void> {
  return () => broker.stop();
}

/** Brings the broker back and waits for the observer to subscribe again before virtual time moves on. */
export function brokerUp(broker: TestBroker, observer: Observer): () => Promise<void> {
  return async () => {
    const subacks = observer.subacks();
    await broker.start();
    await until(() => observer.subacks() > subacks, "the observer back on the broker");
  };
}

export interface Reading {
  topic: string;
  value: number;
  timestamp?: string;
  seq: number;
}

/** JSON readings under `sensornode/<node>/`, in the order the observer received them. */
export function readings(observer: Observer, node: string): Reading[] {
  return observer.messages
    .filter((m) => m.topic.startsWith(`sensornode/${node}/`) && m.payload.startsWith("{") && !m.topic.endsWith("/diag"))
    .map((m) => ({ topic: m.topic, ...(JSON.parse(m.payload) as { value: number; timestamp?: string; seq: number }) }));
}

export { observe, until };
