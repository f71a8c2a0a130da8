// The MQTT 3.1.1 client session: connect, will, keepalive, QoS 0/1/2 both ways, session
// resumption, bounded outbound queue, reconnect with backoff.
//
// Written as one closure rather than a class: esbuild renames closure variables to one
// letter but never renames properties, and on Espruino every property name costs memory.
// Everything is declared before it is first called (Espruino does not hoist).
//
// Memory (Espruino, ESP8266: 1,600 variables in all): every function object alive costs
// ~4 variables + 1 per parameter, and every closure made here lives as long as the client.
// So the session has few of them: one timer handle and one timer function (`tick`) serve the
// CONNACK deadline, the reconnect wait and the keepalive, one function (`handle`) takes
// every packet from the server, and the caller's options object is not kept (only the
// callbacks and settings used later are, and the CONNECT packet is encoded once).
//
// Delivery choices (the spec leaves the client's side of a lost session open):
// - Session kept (CONNACK session present = 1): unacknowledged PUBLISH packets are re-sent
//   with DUP = 1 and their original identifiers, PUBRELs are re-sent, in the original
//   order [MQTT-4.4.0-1, MQTT-3.3.1-1, MQTT-2.3.1-3].
// - Session lost (session present = 0, always so with clean = true [MQTT-3.2.2-1]): the
//   broker has forgotten the identifiers, so they are not reused as such [MQTT-3.1.2-6].
//   A QoS 1/2 message still waiting for PUBACK/PUBREC is published again as a new message
//   (new identifier, DUP = 0): the application was promised "at least once", and a
//   possible duplicate is what QoS 1 allows. A QoS 2 message whose PUBREC had arrived is
//   dropped: the broker took ownership of it [MQTT-4.3.3-2], and sending it again could
//   only create the duplicate that QoS 2 exists to prevent. Inbound QoS 2 identifiers
//   awaiting PUBREL are forgotten, and every subscription is sent again.
//
// Build-time switches (hal/features.d.ts): QoS 2 (both ways) needs `qos2`, unsubscribe()
// needs `unsubscribe`. A board bundle leaves them out (the node application publishes and
// subscribes at QoS 0/1 and never unsubscribes): QoS 2 is then refused with "invalid-qos",
// and since the client never asks for QoS 2, a QoS 2 PUBLISH from the broker breaks
// [MQTT-3.8.4-6] and closes the connection. Tests that import this module get both.
import type { TimerHandle } from "../../hal/clock";
import { codedError } from "../../hal/errors";
import type { Connection } from "../../hal/net";
import { encodeAck } from "./ack";
import { backoffDelay, longDelay } from "./backoff";
import { encodeConnect } from "./connect";
import {
  CONNACK,
  DISCONNECT,
  PINGREQ,
  PUBACK,
  PUBCOMP,
  PUBLISH,
  PUBREC,
  PUBREL,
  SUBACK,
  SUBSCRIBE_FAILURE,
  UNSUBACK,
} from "./constants";
import { decodeServerPacket } from "./decode";
import { createFramer } from "./framer";
import type { ClientOptions, MqttClient, Result } from "./options";
import type { ConnackPacket, Packet, Payload, PublishPacket, SubackPacket, Subscription } from "./packet";
import { encodePublish } from "./publish";
import { encodeSubscribe } from "./subscribe";
import { isTopic } from "./topic";
import { encodeUtf8 } from "./utf8";

export type { ClientLimits, ClientOptions, MessageInfo, MqttClient, ReconnectOptions, Result } from "./options";

interface Outgoing {
  topic: Uint8Array;
  payload: Uint8Array;
  qos: number;
  retain: boolean;
  /** Packet identifier while in flight, else 0. */
  id: number;
  /** 0 not sent in this session, 1 PUBLISH sent (awaiting PUBACK/PUBREC), 2 PUBREL sent (awaiting PUBCOMP). */
  step: number;
}

type Callback = ((a?: unknown, b?: unknown, c?: unknown) => void) | undefined;

const IDLE = 0;
const CONNECTING = 1;
const CONNECTED = 2;
const WAITING = 3;

// How closed() leaves the connection.
const PEER = 0; // already closed by the other side
const DESTROY = 1;
const END = 2;
const REFUSED = 3; // destroy, then the long wait: a refusal that retrying soon cannot fix

export function createClient(options: ClientOptions): MqttClient {
  const clock = options.clock;
  const transport = options.transport;
  const server = options.server;
  const random = options.random || Math.random;
  const limits = options.limits || {};
  const backoff = options.backoff || {};
  const keepAlive = options.keepAlive ?? 60;
  const clean = options.clean ?? true;
  const responseTimeout = options.responseTimeout || 10000;
  const stable = backoff.stable || 60000;
  const keepAliveMs = keepAlive * 1000;
  const onConnect = options.onConnect as Callback;
  const onClose = options.onClose as Callback;
  const onMessage = options.onMessage as Callback;
  const onSubscribe = options.onSubscribe as Callback;
  const onError = options.onError as Callback;

  // The first problem found, if any (a string, not a closure that throws: a closure made
  // here would live as long as the client).
  let problem = "";
  if (!clock || !transport || !server) problem = "clock, transport, server required";
  else if (typeof options.clientId !== "string" || encodeUtf8(options.clientId).length > 65535) problem = "bad clientId";
  // A zero-byte client id asks the broker for one, and only with a clean session [MQTT-3.1.3-7].
  else if (options.clientId === "" && !clean) problem = "empty clientId needs clean";
  else if (!(keepAlive >= 0 && keepAlive <= 65535 && keepAlive % 1 === 0)) problem = "keepAlive not 0..65535";
  else if (options.will && (!isTopic(options.will.topic, false) || [0, 1, 2].indexOf(options.will.qos || 0) < 0)) problem = "bad will";
  else if (options.password !== undefined && options.username === undefined) problem = "password needs username";
  if (problem) throw codedError("invalid-options", "mqtt: " + problem);

  // The same CONNECT opens every connection: encoded once.
  const connectPacket = encodeConnect({
    clientId: options.clientId,
    keepAlive,
    clean,
    will: options.will,
    username: options.username,
    password: options.password,
  });
  // The caller's options object (and its will) is not needed any more: this scope outlives
  // the call, so without this the object would stay alive as long as the client.
  // eslint-disable-next-line no-useless-assignment -- read above; the point is to drop the reference
  options = undefined as unknown as ClientOptions;

  let state = IDLE;
  let connection: Connection | undefined;
  let generation = 0; // bumped on every close: callbacks of an older connection are ignored
  let timer: TimerHandle | undefined; // CONNECTING: CONNACK deadline; WAITING: reconnect; CONNECTED: keepalive
  let pingWaiting = false;
  let lastSend = 0;
  let lastHeard = 0;
  let connectedAt = 0;
  let attempt = 0;
  let kicks = 0;
  let lastId = 0;
  // Outbound messages in order: queued ones and in-flight ones. An array, not an object
  // keyed by packet id, because re-sending must keep the original order [MQTT-4.6.0-1].
  const out: Outgoing[] = [];
  let outBytes = 0;
  const subs: Subscription[] = [];
  let acks: { [id: number]: string[] } = {}; // the filters of each SUBSCRIBE awaiting SUBACK
  // Only with the unsubscribe switch: filters unsubscribed while offline (sent if the session
  // is kept), and the filters of each UNSUBSCRIBE awaiting UNSUBACK.
  let leaving: string[] = SENSORNODE_FEATURES.unsubscribe ? [] : (undefined as never);
  let unsubscribing: { [id: number]: string[] } = SENSORNODE_FEATURES.unsubscribe ? {} : (undefined as never);
  // Only with the qos2 switch: inbound QoS 2 identifiers awaiting PUBREL.
  let received: { [id: number]: number } = SENSORNODE_FEATURES.qos2 ? {} : (undefined as never);

  const call = (callback: Callback, a?: unknown, b?: unknown, c?: unknown) => {
    if (!callback) return;
    try {
      callback(a, b, c);
    } catch (error) {
      if (onError && callback !== onError) call(onError, error);
    }
  };

  const send = (bytes: Uint8Array) => {
    if (connection) {
      lastSend = clock.now();
      connection.write(bytes);
    }
  };

  // Late-bound: the timer runs tick(), defined further down (it calls back into what is
  // defined here, and Espruino does not hoist). It is set before connect() can run.
  let tick = () => {};

  /** Replaces the one timer: fires tick() in `ms`, or none when `ms` < 0. */
  const arm = (ms: number) => {
    if (timer !== undefined) clock.clearTimeout(timer);
    timer = ms >= 0 ? clock.setTimeout(tick, ms) : undefined;
  };

  // An identifier not used by any message in flight nor any pending (UN)SUBSCRIBE
  // [MQTT-2.3.1-2]. The in-use set is bounded by the limits, so this ends.
  const nextId = (): number => {
    for (;;) {
      lastId = lastId >= 65535 ? 1 : lastId + 1;
      const id = lastId;
      if (!acks[id] && !(SENSORNODE_FEATURES.unsubscribe && unsubscribing[id]) && out.findIndex((entry) => entry.id === id) < 0) {
        return id;
      }
    }
  };

  // Sends what the in-flight window allows, in order. QoS 0 entries behind a stalled QoS 1/2
  // wait too, so messages leave in the order they were published.
  const flush = () => {
    let inflight = 0;
    out.forEach((entry) => {
      if (entry.step) inflight++;
    });
    let i = 0;
    while (state === CONNECTED && i < out.length) {
      const entry = out[i]!;
      if (entry.step) {
        i++;
      } else if (entry.qos === 0) {
        outBytes -= entry.topic.length + entry.payload.length;
        out.splice(i, 1);
        send(encodePublish(entry.topic, entry.payload, 0, entry.retain, false, 0));
      } else if (inflight < (limits.inflight || 4)) {
        entry.id = nextId();
        entry.step = 1;
        inflight++;
        i++;
        send(encodePublish(entry.topic, entry.payload, entry.qos, entry.retain, false, entry.id));
      } else return;
    }
  };

  /** Sends SUBSCRIBE for `list`, or with `unsubscribe` UNSUBSCRIBE for its filters. */
  const sendSubscribe = (list: Subscription[], unsubscribe?: boolean) => {
    const id = nextId();
    const filters = list.map((s) => s.topic);
    if (SENSORNODE_FEATURES.unsubscribe && unsubscribe) unsubscribing[id] = filters;
    else acks[id] = filters;
    send(encodeSubscribe(id, list, unsubscribe));
  };

  // Closes the current connection (once), reports it, and schedules the next attempt.
  function closed(reason: string, how: number) {
    const wasConnected = state === CONNECTED;
    const c = connection;
    generation++;
    connection = undefined;
    pingWaiting = false;
    arm(-1);
    if (c && how === END) c.end();
    else if (c && how !== PEER) c.destroy();
    let delay = -1;
    if (how === END) {
      state = IDLE;
    } else {
      const lasted = clock.now() - connectedAt;
      const long = backoff.long || 300000;
      if (wasConnected && lasted >= stable) {
        attempt = 0;
        kicks = 0;
      }
      if (how === REFUSED) {
        delay = longDelay(long, random);
      } else if (wasConnected && how === PEER && lasted < stable && ++kicks >= (backoff.kicks || 3)) {
        // Two boards with one client id take turns kicking each other off [MQTT-3.1.4-2].
        reason = "duplicate-client-id: " + kicks + " sessions ended within " + stable + " ms of CONNACK (" + reason + ")";
        delay = longDelay(long, random);
      } else {
        delay = backoffDelay(attempt++, backoff.min || 1000, backoff.max || 60000, random);
      }
      state = WAITING;
      arm(delay);
    }
    call(onClose, reason, delay);
  }

  // Every packet from the server, decoded. A string return closes the connection.
  function handle(packet: Packet): string | undefined {
    const type = packet.type;
    const id = (packet as { id: number }).id;
    lastHeard = clock.now();
    if (state !== CONNECTED) {
      // [MQTT-3.2.0-1]: the first packet from the server is CONNACK.
      if (type !== CONNACK) return "protocol: not CONNACK";
      const code = (packet as ConnackPacket).returnCode;
      if (code !== 0) {
        // The broker closes after a refusal [MQTT-3.2.2-5]. Codes 1, 2, 4, 5 need a change
        // on one side or the other: wait long instead of hammering the broker. The words for
        // codes 1..5 (3.2.2.3 Table 3.1) are in this function's text, which stays in flash,
        // not in a table that would cost ~24 variables for the node's whole life.
        const words = "unacceptable protocol version,identifier rejected,server unavailable,bad user name or password,not authorized";
        const reason = code >= 1 && code <= 5 ? words.split(",")[code - 1] : "return code " + code;
        closed("refused: " + reason, code !== 3 ? REFUSED : DESTROY);
        return "refused";
      }
      const sessionPresent = (packet as ConnackPacket).sessionPresent;
      if (sessionPresent && clean) return "protocol: session present after clean";
      state = CONNECTED;
      connectedAt = clock.now();
      const old = acks;
      const oldUnsubscribing = unsubscribing;
      acks = {};
      if (SENSORNODE_FEATURES.unsubscribe) unsubscribing = {};
      if (sessionPresent) {
        out.forEach((entry) => {
          if (entry.step === 1) send(encodePublish(entry.topic, entry.payload, entry.qos, entry.retain, true, entry.id));
          if (SENSORNODE_FEATURES.qos2 && entry.step === 2) send(encodeAck(PUBREL, entry.id));
        });
        // Unanswered SUBSCRIBEs go again for the filters still wanted, unanswered UNSUBSCRIBEs
        // for the filters still unwanted.
        const again: Subscription[] = [];
        Object.keys(old).forEach((key) => {
          old[key as unknown as number]!.forEach((filter) => {
            const index = subs.findIndex((s) => s.topic === filter);
            if (index >= 0) again.push(subs[index]!);
          });
        });
        if (again.length) sendSubscribe(again);
        if (SENSORNODE_FEATURES.unsubscribe) {
          const drop: string[] = leaving;
          Object.keys(oldUnsubscribing).forEach((key) => {
            oldUnsubscribing[key as unknown as number]!.forEach((filter) => {
              if (subs.findIndex((s) => s.topic === filter) < 0) drop.push(filter);
            });
          });
          if (drop.length) sendSubscribe(drop.map((filter) => ({ topic: filter, qos: 0 })), true);
        }
      } else {
        if (SENSORNODE_FEATURES.qos2) received = {};
        for (let i = 0; i < out.length; ) {
          const entry = out[i]!;
          if (SENSORNODE_FEATURES.qos2 && entry.step === 2) {
            outBytes -= entry.topic.length + entry.payload.length;
            out.splice(i, 1);
          } else {
            entry.step = 0;
            entry.id = 0;
            i++;
          }
        }
        if (subs.length) sendSubscribe(subs);
      }
      if (SENSORNODE_FEATURES.unsubscribe) leaving = [];
      // Replaces the CONNACK deadline with the keepalive.
      arm(keepAliveMs > 0 ? keepAliveMs : -1);
      flush();
      call(onConnect, sessionPresent);
      return undefined;
    }
    if (pingWaiting) {
      // Anything from the broker shows the connection is alive.
      pingWaiting = false;
      arm(Math.max(0, lastSend + keepAliveMs - clock.now()));
    }
    if (type === PUBLISH) {
      const message = packet as PublishPacket;
      const qos = message.qos;
      if (!SENSORNODE_FEATURES.qos2 && qos === 2) return "protocol: QoS 2 PUBLISH, no QoS 2 subscription [MQTT-3.8.4-6]";
      // [MQTT-4.3.3-2]: a QoS 2 message is delivered once; every copy until PUBREL gets PUBREC.
      const copy = qos === 2 && received[id];
      if (qos === 2) received[id] = 1;
      if (!copy) call(onMessage, message.topic, message.payload, { qos, retain: message.retain, dup: message.dup });
      if (qos) send(encodeAck(qos === 2 ? PUBREC : PUBACK, id)); // [MQTT-4.3.2-2]
    } else if (type === PUBACK || (SENSORNODE_FEATURES.qos2 && (type === PUBREC || type === PUBCOMP))) {
      // (Without the qos2 switch no QoS 2 message is sent, so PUBREC and PUBCOMP answer nothing.)
      const index = out.findIndex((entry) => entry.id === id);
      const entry = out[index];
      if (type === PUBREC) {
        // [MQTT-4.3.3-1]: answer PUBREC with PUBREL, and never send that PUBLISH again. An
        // unknown identifier gets its PUBREL too, so the broker can release what it holds.
        if (entry && entry.qos !== 2) return undefined;
        if (entry) entry.step = 2;
        send(encodeAck(PUBREL, id));
      } else if (entry && ((type === PUBACK && entry.qos === 1) || (type === PUBCOMP && entry.step === 2))) {
        outBytes -= entry.topic.length + entry.payload.length;
        out.splice(index, 1);
        flush();
      }
    } else if (SENSORNODE_FEATURES.qos2 && type === PUBREL) {
      delete received[id];
      send(encodeAck(PUBCOMP, id));
    } else if (type === SUBACK || type === UNSUBACK) {
      const filters = acks[id];
      delete acks[id];
      if (SENSORNODE_FEATURES.unsubscribe) delete unsubscribing[id];
      // Nothing to report for an UNSUBACK, nor for an answer to a packet of an earlier
      // connection (or of the other kind).
      if (!filters || type === UNSUBACK) return undefined;
      const granted = (packet as SubackPacket).granted;
      if (granted.length !== filters.length) return "protocol: SUBACK count";
      filters.forEach((filter, i) => {
        const code = granted[i]!;
        if (code === SUBSCRIBE_FAILURE) {
          const index = subs.findIndex((s) => s.topic === filter);
          if (index >= 0) subs.splice(index, 1);
        }
        call(onSubscribe, filter, code);
      });
    } else if (type === CONNACK) return "protocol: second CONNACK";
    return undefined;
  }

  tick = () => {
    timer = undefined;
    if (state === CONNECTING) {
      closed("timeout: no CONNACK within " + responseTimeout + " ms", DESTROY);
    } else if (state === CONNECTED) {
      if (pingWaiting) {
        closed("timeout: no PINGRESP within " + responseTimeout + " ms", DESTROY);
        return;
      }
      // [MQTT-3.1.2-23]: a control packet at least every keepAlive seconds, counted from the last
      // send. Also after keepAlive with nothing heard: a node that publishes more often than that
      // would otherwise never ping, and never notice a half-open connection (its PUBACKs stop).
      const idle = clock.now() - (lastHeard < lastSend ? lastHeard : lastSend);
      if (idle < keepAliveMs) {
        arm(keepAliveMs - idle);
        return;
      }
      send(new Uint8Array([PINGREQ << 4, 0])); // 3.12: Remaining Length 0
      pingWaiting = true;
      arm(responseTimeout);
    } else if (state === WAITING) {
      // The reconnect wait is over (or connect() was called): a new connection attempt.
      state = CONNECTING;
      const token = ++generation;
      const framer = createFramer(limits.maxInbound || 2048, (first, body) => {
        if (token !== generation) return "stale";
        const packet = decodeServerPacket(first, body);
        return typeof packet === "string" ? "protocol: " + packet : handle(packet);
      });
      arm(responseTimeout); // the CONNACK deadline
      let opened = false;
      let c: Connection | undefined;
      try {
        c = transport.connect(server, {
          onOpen: () => {
            // [MQTT-3.1.0-1]: CONNECT first. (A transport may open before connect() returns.)
            opened = true;
            if (token === generation && connection) send(connectPacket);
          },
          onData: (bytes: Uint8Array) => {
            if (token !== generation) return;
            let error: string | undefined;
            try {
              error = framer(bytes);
            } catch (caught) {
              error = "internal: " + String((caught && (caught as Error).message) || caught);
            }
            // Malformed input ends the connection [MQTT-4.8.0-1], and nothing escapes.
            if (error !== undefined && token === generation) closed(error, DESTROY);
          },
          onClose: (reason: string) => {
            if (token === generation) closed("closed: " + reason, PEER);
          },
        });
      } catch (caught) {
        if (token === generation) closed("closed: " + String((caught && (caught as Error).message) || caught), PEER);
        return;
      }
      if (token !== generation) return; // onClose already ran
      connection = c;
      if (opened) send(connectPacket);
    }
  };

  const client: MqttClient = {
    connect: () => {
      if (state === IDLE) {
        state = WAITING;
        tick();
      }
    },

    publish: (topic: string, payload: Payload, qos?: number, retain?: boolean): Result => {
      const level = qos || 0;
      if ([0, 1, SENSORNODE_FEATURES.qos2 ? 2 : 0].indexOf(level) < 0) return "invalid-qos";
      if (!isTopic(topic, false)) return "invalid-topic";
      const name = encodeUtf8(topic);
      if (name.length > 65535) return "invalid-topic"; // [MQTT-4.7.3-3]
      const body = typeof payload === "string" ? encodeUtf8(payload) : payload;
      const flag = !!retain;
      if (state === CONNECTED && level === 0 && out.length === 0) {
        send(encodePublish(name, body, 0, flag, false, 0));
        return "sent";
      }
      const size = name.length + body.length;
      const maxQueueBytes = limits.queueBytes || 4096;
      if (size > maxQueueBytes) return "too-large";
      if (out.length >= (limits.queue || 16) || outBytes + size > maxQueueBytes) return "queue-full";
      const entry: Outgoing = { topic: name, payload: body, qos: level, retain: flag, id: 0, step: 0 };
      out.push(entry);
      outBytes += size;
      flush();
      return state === CONNECTED && (entry.step > 0 || out.indexOf(entry) < 0) ? "sent" : "queued";
    },

    subscribe: (filter: string, qos?: number): Result => {
      const level = qos || 0;
      if ([0, 1, SENSORNODE_FEATURES.qos2 ? 2 : 0].indexOf(level) < 0) return "invalid-qos";
      if (!isTopic(filter, true) || encodeUtf8(filter).length > 65535) return "invalid-topic";
      const index = subs.findIndex((s) => s.topic === filter);
      const subscription = { topic: filter, qos: level };
      if (index >= 0) subs[index] = subscription;
      else subs.push(subscription);
      if (SENSORNODE_FEATURES.unsubscribe && leaving.indexOf(filter) >= 0) leaving.splice(leaving.indexOf(filter), 1);
      if (state !== CONNECTED) return "queued";
      sendSubscribe([subscription]);
      return "sent";
    },

    end: () => {
      if (connection) {
        // [MQTT-3.14.4-1]: DISCONNECT is the last packet, then the connection closes.
        if (state === CONNECTED) send(new Uint8Array([DISCONNECT << 4, 0])); // 3.14: Remaining Length 0
        closed("ended", END);
      } else {
        pingWaiting = false;
        arm(-1);
        state = IDLE;
      }
    },

    connected: () => state === CONNECTED,

    pending: () => out.length,
  } as MqttClient;
  if (SENSORNODE_FEATURES.unsubscribe) {
    client.unsubscribe = (filter: string): Result => {
      if (!isTopic(filter, true)) return "invalid-topic";
      const index = subs.findIndex((s) => s.topic === filter);
      if (index >= 0) subs.splice(index, 1);
      if (state !== CONNECTED) {
        if (leaving.indexOf(filter) < 0) leaving.push(filter);
        return "queued";
      }
      sendSubscribe([{ topic: filter, qos: 0 }], true);
      return "sent";
    };
  }
  return client;
}
