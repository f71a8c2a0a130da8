// The client's public contract: options, callbacks, results. Types only (no bytes on the
// board); client.ts re-exports them.
import type { Clock } from "../../hal/clock";
import type { Transport, TransportOptions } from "../../hal/net";
import type { Payload, WillMessage } from "./packet";

export interface ClientLimits {
  /** Largest inbound packet in bytes; a larger one closes the connection before it is buffered. Default 2048. */
  maxInbound?: number;
  /** Outbound messages held (queued or awaiting acknowledgement). Default 16. */
  queue?: number;
  /** Bytes of topic + payload held for those messages. Default 4096. */
  queueBytes?: number;
  /** QoS 1/2 messages sent and not yet acknowledged at any time. Default 4. */
  inflight?: number;
}

export interface ReconnectOptions {
  /** First backoff cap, ms. Default 1000. */
  min?: number;
  /** Largest backoff cap, ms. Default 60000. */
  max?: number;
  /** Wait after a refusal that retrying cannot fix (credentials, not authorised, duplicate client id), ms. Default 300000. */
  long?: number;
  /** A session that lasts this long (ms) resets the backoff; one the broker ends sooner counts as a kick. Default 60000. */
  stable?: number;
  /** Consecutive kicks reported as a suspected duplicate client id. Default 3. */
  kicks?: number;
}

export interface MessageInfo {
  qos: number;
  retain: boolean;
  dup: boolean;
}

export interface ClientOptions {
  clock: Clock;
  transport: Transport;
  /** Where to connect (host, port, TLS). */
  server: TransportOptions;
  /** Uniform [0, 1): the backoff jitter. Default Math.random. */
  random?: () => number;
  clientId: string;
  /** Seconds, as on the wire (3.1.2.10). 0 disables keepalive. Default 60. */
  keepAlive?: number;
  /** Clean session (3.1.2.4). Default true. */
  clean?: boolean;
  will?: WillMessage;
  username?: string;
  password?: Payload;
  /** How long to wait for CONNACK (from the start of the attempt) and for PINGRESP, ms. Default 10000. */
  responseTimeout?: number;
  limits?: ClientLimits;
  backoff?: ReconnectOptions;
  /** CONNACK accepted. */
  onConnect?: (sessionPresent: boolean) => void;
  /**
   * A connection attempt or session ended. `reason` starts with a word to switch on:
   * refused:, timeout:, protocol:, too-large:, closed:, duplicate-client-id:, internal:,
   * ended. `retryIn` is the ms until the next attempt, -1 when none (after end()).
   */
  onClose?: (reason: string, retryIn: number) => void;
  onMessage?: (topic: string, payload: Uint8Array, info: MessageInfo) => void;
  /** SUBACK for `filter`: granted QoS 0..2, or 0x80 when the broker refused it. */
  onSubscribe?: (filter: string, granted: number) => void;
  /** A callback above threw; the client carried on. */
  onError?: (error: unknown) => void;
}

/**
 * sent: written to the connection. queued: held until connected (or until the in-flight
 * window has room). queue-full / too-large: refused, the bounded queue has no room.
 * invalid-topic / invalid-qos: refused, bad argument (QoS 2 is invalid in a bundle built
 * without the qos2 switch, hal/features.d.ts: board bundles).
 */
export type Result = "sent" | "queued" | "queue-full" | "too-large" | "invalid-topic" | "invalid-qos";

export interface MqttClient {
  /** Starts connecting (and reconnecting) until end(). */
  connect(): void;
  publish(topic: string, payload: Payload, qos?: number, retain?: boolean): Result;
  subscribe(filter: string, qos?: number): Result;
  /** Absent from a bundle built without the unsubscribe switch (hal/features.d.ts: board bundles). */
  unsubscribe(filter: string): Result;
  /** Sends DISCONNECT (the broker then discards the will [MQTT-3.14.4-2]) and closes. */
  end(): void;
  connected(): boolean;
  /** Outbound messages not yet completely acknowledged (queued or in flight). */
  pending(): number;
}
