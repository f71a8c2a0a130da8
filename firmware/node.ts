// The sensor node (issue 5): composes the platform, the drivers, the MQTT client and the
// build-time plan. Everything platform-specific is injected (design.md §2): tests run it on
// a virtual clock with simulated devices; firmware/main.ts wires Espruino's globals.
//
// Boot: drivers → network (if any) → MQTT with the will (retained `offline`, QoS 1) →
// retained `online` after CONNACK → subscriptions (cmd, output set topics,
// homeassistant/status) → discovery (and stale-entity deletion) → readings.
//
// One pump timer does the paced work while connected: discovery messages, then the
// backlog, each only while the client holds fewer than ROOM messages, so live messages
// (input edges, output echoes, status, diag) always find space in its queue. In battery
// mode the pump also decides when to sleep.
import type { BoardConfig } from "../boards/schema";
import type { Platform } from "../hal/platform";
import type { Transport } from "../hal/net";
import type { TimerHandle } from "../hal/clock";
import { parseCommand } from "./commands";
import { createDiscovery, type Discovery } from "./discovery";
import { createForwarder, type Forwarder, type Plan } from "./forward";
import { createIo, type Io } from "./io";
import { createClient, type ClientOptions, type MqttClient } from "./mqtt/client";
import { decodeUtf8 } from "./mqtt/utf8";
import type { Network, System } from "./ports";
import { nothing } from "./nothing";
import { createSensors, type Sensors } from "./sensors";
import type { WallTime } from "./time";

export interface NodeOptions {
  config: BoardConfig;
  plan: Plan;
  discoveryCount: number;
  discoveryMessage(i: number): [string, string] | undefined;
  drivers: { [kind: string]: (options: any) => any };
  platform: Platform;
  transport: Transport;
  system: System;
  /** WiFi on ESP boards; absent where the network is already up. */
  network?: Network;
  firmwareVersion: string;
  configHash: string;
  /** Backoff jitter source (tests pass a seeded one). */
  random?: () => number;
}

export interface SensorNode {
  start(): void;
  /** Clean shutdown: retained `offline`, then DISCONNECT. */
  stop(): void;
  /** The diag payload as it would be published now. */
  diag(): string;
  client: MqttClient;
}

/** Home Assistant's birth and will topic (its default discovery prefix). */
const HOME_ASSISTANT_STATUS = "homeassistant/status";
/** Messages the client may hold before paced work waits (its in-flight window is 4). */
const ROOM = 4;
/** Pump period while there is paced work, ms. */
const PACE = 50;
/** After the cmd SUBACK, time for a retained `stay-awake` to arrive before sleeping, ms. */
const SETTLE = 300;
/** Longest wait for the `sleeping` status to be acknowledged before sleeping anyway, ms. */
const GOODBYE = 2000;
/** Storage file: ms of sleep still owed (ESP32 sleeps are chained beyond ~35 min). */
const SLEEP_FILE = "sn-sleep";
/**
 * Storage file: intervals set by the cmd topic, JSON {"<sensor>": ms, "*": ms for all,
 * "#": config hash}; applied in order at every boot and wake. A new board config (another
 * hash) starts from the board file's intervals again.
 */
const INTERVAL_FILE = "sn-interval";

/**
 * The client's settings from the board config, defaults applied, with no property that
 * would be undefined (the client keeps its options). Called at boot only.
 */
type Settings = Partial<ClientOptions> & Pick<ClientOptions, "server" | "clientId">;

function brokerOf(mqtt: BoardConfig["mqtt"], node: string, chip: string, random: (() => number) | undefined): Settings {
  const serial = String(chip).replace(/[^0-9A-Za-z]/g, "");
  const settings: Settings = {
    server: mqtt.tls ? { host: mqtt.host, port: mqtt.port || 8883, tls: true } : { host: mqtt.host, port: mqtt.port || 1883 },
    clientId: mqtt.clientId || "sensornode-" + node + "-" + serial.slice(serial.length > 8 ? serial.length - 8 : 0),
    keepAlive: mqtt.keepAlive || 60,
    clean: true,
  };
  if (mqtt.username !== undefined) settings.username = mqtt.username;
  if (mqtt.password !== undefined) settings.password = mqtt.password;
  if (random) settings.random = random;
  return settings;
}

export function createNode(o: NodeOptions): SensorNode {
  // On an ESP8266 every function object made here costs ~6 variables for the node's whole
  // life (design.md §3): the helpers below are the ones several paths share; one-off logic
  // stays inline in the callback that runs it, and battery mode (SENSORNODE_FEATURES.sleep)
  // and outputs are left out of boards that do not configure them.
  const plan = o.plan;
  const platform = o.platform;
  const clock = platform.clock;
  const storage = platform.storage;
  const system = o.system;
  const topics = plan.topics;
  const sleep = SENSORNODE_FEATURES.sleep ? o.config.sleep : undefined;
  const diagInterval = o.config.diagInterval || 300000;
  const network = o.network;
  const firmwareVersion = o.firmwareVersion;
  const configHash = o.configHash;
  const discoveries = o.discoveryCount;
  const bootTime = clock.now();

  let connects = 0;
  let lastReason = "";
  let networkReason = "";
  let subscribedAt = -1;
  let stayAwake = false;
  let stopped = false;
  let sleeping = false;
  // `online` must follow every CONNACK. After a long outage the client's queue can be full of
  // re-sent readings, and the publish is refused (queue-full): owe it and retry first.
  let statusOwed = false;
  let pumpTimer: TimerHandle | undefined;
  let diagTimer: TimerHandle | undefined;
  let budgetTimer: TimerHandle | undefined;
  // Made below, in the order each needs the others; the helpers only use them once called.
  // (Declared first so the helpers need no forwarding closures: lint would otherwise want const.)
  /* eslint-disable prefer-const */
  let client: MqttClient;
  let time: WallTime;
  let forward: Forwarder;
  let discovery: Discovery;
  let io: Io;
  let sensors: Sensors;
  /* eslint-enable prefer-const */

  const log = function (message: string): void {
    platform.log("info", message);
  };

  let pump: () => void = nothing;
  const kick = function (): void {
    if (pumpTimer === undefined && !stopped) pumpTimer = clock.setTimeout(pump, PACE);
  };

  /** A sensor value (key of its measurement) or an input edge (keys after them): queued, then paced out. */
  const take = function (key: number, value: number): void {
    forward.reading(key, value);
    kick();
  };

  const diag = function (extra?: Record<string, unknown>): string {
    const timeValid = time.valid();
    const fields: Record<string, unknown> = {
      uptime: Math.round((clock.now() - bootTime) / 1000),
      reset: system.resetReason(),
      free: system.freeVariables(),
      rssi: network ? network.rssi() : undefined,
      reconnects: connects > 0 ? connects - 1 : 0,
      reason: lastReason || undefined,
      network: networkReason || undefined,
      buffer: forward.backlog(),
      dropped: forward.dropped(),
      sensors: sensors.report(),
      time: timeValid ? new Date(time.now()).toISOString() : undefined,
      version: firmwareVersion,
      config: configHash,
    };
    return JSON.stringify(Object.assign(fields, extra));
  };

  const sendDiag = function (extra?: Record<string, unknown>): void {
    if (client.connected()) client.publish(topics.diag, diag(extra), 0, false);
  };

  // The diag timer's own callback: the first call (from start) only schedules.
  const diagTick = function (): void {
    if (diagTimer !== undefined) sendDiag();
    diagTimer = clock.setTimeout(diagTick, diagInterval);
  };

  const sendStatus = function (): void {
    const result = client.publish(topics.status, plan.status.online, 1, true);
    statusOwed = result !== "sent" && result !== "queued";
  };

  // Last status, then DISCONNECT (the broker then discards the will [MQTT-3.14.4-3] and the
  // status just sent stays). When the client can write the status at once this is
  // synchronous, as Espruino's `kill` event needs; TCP keeps the PUBLISH before the
  // DISCONNECT. Behind a full in-flight window it waits (up to GOODBYE) for room.
  const goodbye = function (status: string, then: () => void): void {
    const sent = client.connected() && client.publish(topics.status, status, 1, true) === "sent";
    const started = clock.now();
    const wait = function (): void {
      if (!sent && client.connected() && client.pending() > 0 && clock.now() - started < GOODBYE) {
        clock.setTimeout(wait, PACE);
        return;
      }
      client.end();
      then();
    };
    wait();
  };

  /** Stops every timer and peripheral: before deep sleep and on shutdown. */
  const halt = function (): void {
    clock.clearTimeout(budgetTimer);
    clock.clearTimeout(diagTimer);
    clock.clearTimeout(pumpTimer);
    pumpTimer = undefined;
    sensors.stop();
    io.stop();
  };

  // Battery mode only (SENSORNODE_FEATURES.sleep): sleeps `ms`, in pieces the chip can do;
  // what remains is owed in Storage for the next boot.
  const sleepFor = !SENSORNODE_FEATURES.sleep ? nothing : function (ms: number): void {
    const part = ms > system.maxSleep ? system.maxSleep : ms;
    try {
      if (ms > part) storage.write(SLEEP_FILE, String(ms - part));
      else storage.erase(SLEEP_FILE);
    } catch {
      // a full flash shortens the sleep; it must not keep the node awake
    }
    system.deepSleep(part);
  };

  const goSleep = !SENSORNODE_FEATURES.sleep ? nothing : function (): void {
    if (sleeping || stopped) return;
    sleeping = true;
    halt();
    const interval = sleep!.interval;
    const awake = clock.now() - bootTime;
    const ms = interval - awake > 1000 ? interval - awake : 1000;
    forward.persist();
    // The next wake rides in diag; the status payload stays the configured word.
    sendDiag({ sleep: ms, wake: time.valid() ? new Date(time.now() + ms).toISOString() : undefined });
    log("sleeping " + ms + " ms");
    goodbye(plan.status.sleeping, function () {
      clock.setTimeout(function () {
        sleepFor(ms);
      }, 100);
    });
  };

  const armBudget = !SENSORNODE_FEATURES.sleep ? nothing : function (): void {
    clock.clearTimeout(budgetTimer);
    budgetTimer = clock.setTimeout(function () {
      budgetTimer = undefined;
      if (!stayAwake) goSleep();
    }, sleep!.awake || 20000);
  };

  pump = function (): void {
    pumpTimer = undefined;
    if (stopped || sleeping) return;
    let busy = false;
    if (client.connected() && statusOwed) sendStatus();
    if (client.connected() && statusOwed) {
      kick();
      return;
    }
    if (client.connected()) {
      // Rebases waiting readings first, if SNTP has answered since the last reading.
      time.valid();
      busy = discovery.pump(client, ROOM);
    }
    // Also while disconnected: it confirms a batch the broker acknowledged before the link went.
    if (!busy) busy = forward.pump(ROOM);
    if (
      SENSORNODE_FEATURES.sleep && sleep && !busy &&
      !stayAwake && sensors.allDone!() && client.connected() && subscribedAt >= 0 && clock.now() - subscribedAt >= SETTLE &&
      forward.backlog() === 0 && client.pending() === 0
    ) {
      goSleep();
      return;
    }
    if ((busy && client.connected()) || (sleep && !stayAwake)) kick();
  };

  /** The saved intervals for this config ({"#": hash} when none, or another config's, or unreadable). */
  const intervals = function (): Record<string, number | string> {
    let saved: Record<string, number | string> | undefined;
    try {
      saved = JSON.parse(storage.read(INTERVAL_FILE) || "0");
    } catch {
      // unreadable: the board file's intervals
    }
    return saved && saved["#"] === configHash ? saved : { "#": configHash };
  };

  // The client keeps its options for the node's life: no property that would only say
  // undefined (each ~2 variables on an ESP8266).
  const settings = Object.assign(brokerOf(o.config.mqtt, plan.node, system.serial(), o.random), {
    clock: clock,
    transport: o.transport,
    will: { topic: topics.status, payload: plan.status.offline, qos: 1, retain: true },
    onConnect: function () {
      connects++;
      sendStatus();
      // The boot diag describes the node at its first CONNACK, before the inputs' states join the queue.
      if (connects === 1) sendDiag();
      io.states();
      // Every connect in always-on mode (a broker without persistence forgets retained
      // configs); in battery mode only when the entity list changed.
      discovery.start(!sleep);
      kick();
    },
    onClose: function (reason: string) {
      lastReason = reason;
      subscribedAt = -1;
    },
    onMessage: function (topic: string, bytes: Uint8Array, info: { retain: boolean }) {
      const text = decodeUtf8(bytes, 0, bytes.length) || "";
      const retained = info.retain;
      if (topic === HOME_ASSISTANT_STATUS) {
        // Home Assistant restarted: announce again (its retained birth at subscribe is not news).
        if (text === "online" && !retained) {
          discovery.start(true);
          kick();
        }
        return;
      }
      if (topic !== topics.cmd) {
        const error = SENSORNODE_FEATURES.outputs && !retained ? io.set(topic, text) : undefined;
        if (error) sendDiag({ error: error });
        return;
      }
      const c = parseCommand(text);
      // Retained commands are replayed by the broker at every connect: only the stay-awake
      // state may be retained (a retained "reboot" would be a boot loop).
      if (retained && (typeof c === "string" || (c.name !== "stay-awake" && c.name !== "sleep"))) return;
      if (typeof c === "string") {
        sendDiag({ error: c });
        return;
      }
      if (c.name === "reboot") {
        log("reboot requested");
        forward.persist();
        stopped = true;
        goodbye(plan.status.offline, system.reboot);
      } else if (c.name === "identify") {
        log("identify: " + plan.node);
        sendDiag({ identify: SENSORNODE_FEATURES.outputs ? io.identify() : false });
      } else if (c.name === "diag") {
        sendDiag();
      } else if (c.name === "stay-awake") {
        stayAwake = true;
        if (sleep) sensors.start();
      } else if (c.name === "sleep") {
        if (stayAwake && sleep) {
          stayAwake = false;
          armBudget();
          kick();
        }
        stayAwake = false;
      } else if (sensors.setInterval(c.sensor, c.value!) === 0) {
        sendDiag({ error: "no sensor named " + c.sensor });
      } else {
        // Kept for the next boot and wake: the last word for each sensor, "*" for all. (A full
        // flash throws here; the client reports a callback that throws, and carries on.)
        const saved = c.sensor === undefined ? { "#": configHash } : intervals();
        saved[c.sensor === undefined ? "*" : c.sensor] = c.value!;
        storage.write(INTERVAL_FILE, JSON.stringify(saved));
      }
    },
    onError: function (error: unknown) {
      log("callback failed: " + (error as Error).message);
    },
  });
  if (SENSORNODE_FEATURES.sleep && sleep) {
    // Battery mode waits SETTLE after the cmd SUBACK for a retained stay-awake.
    settings.onSubscribe = function (filter: string) {
      if (filter === topics.cmd) subscribedAt = clock.now();
    };
  }
  client = createClient(settings);

  forward = createForwarder(plan, client, clock, storage, system.wallTime, log);
  time = forward.time;
  discovery = createDiscovery(o.discoveryCount, o.discoveryMessage, storage);
  io = createIo(o.config.inputs || [], o.config.outputs || [], plan, platform, o.drivers, clock, client, take, log);
  sensors = createSensors({
    sensors: o.config.sensors || [],
    plan: plan,
    platform: platform,
    drivers: o.drivers,
    clock: clock,
    value: take,
    once: !SENSORNODE_FEATURES.sleep ? undefined : function () {
      return !!sleep && !stayAwake;
    },
    first: SENSORNODE_FEATURES.sleep ? kick : undefined,
    log: log,
  });

  // The closures above keep this scope alive for the node's life, and with it whatever it
  // binds: the options hold the board config, which nothing reads after this point (on an
  // ESP8266 ~60 variables). Drop them.
  // eslint-disable-next-line no-useless-assignment -- the point is what the scope no longer holds
  o = undefined as never;
  return {
    start: function (): void {
      if (SENSORNODE_FEATURES.sleep && sleep) {
        const owed = Number(storage.read(SLEEP_FILE) || 0);
        if (owed > 0) {
          // The middle of a chained sleep: nothing to do but sleep on.
          sleepFor(owed);
          return;
        }
        armBudget();
      }
      client.subscribe(topics.cmd, 1);
      if (SENSORNODE_FEATURES.outputs) {
        plan.outputs.forEach(function (output) {
          client.subscribe(output.setTopic!, 1);
        });
      }
      if (discoveries > 0) client.subscribe(HOME_ASSISTANT_STATUS, 0);
      const saved = intervals();
      Object.keys(saved).forEach(function (name) {
        const ms = saved[name];
        if (name !== "#" && typeof ms === "number" && ms >= 100) sensors.setInterval(name === "*" ? undefined : name, ms);
      });
      sensors.start();
      if (!sleep) diagTick();
      if (network) {
        network.start(
          function () {
            networkReason = "";
            client.connect();
          },
          function (reason: string) {
            networkReason = reason;
          },
        );
      } else client.connect();
    },

    stop: function (): void {
      if (stopped) return;
      stopped = true;
      halt();
      forward.persist();
      goodbye(plan.status.offline, nothing);
    },

    diag: diag,

    client: client,
  };
}
