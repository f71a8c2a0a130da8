// A client wired to a virtual clock and an in-memory transport, recording every callback.
import { createClient, type ClientOptions, type MessageInfo, type MqttClient } from "../../firmware/mqtt/client";
import { VirtualClock } from "../../sim/virtual-clock";
import type { Clock } from "../../hal/clock";
import type { Transport } from "../../hal/net";
import { memoryTransport, seeded } from "./helpers";

export interface Recorded {
  client: MqttClient;
  /** The clock given: a VirtualClock unless a test passed a real one (then do not advance it). */
  clock: VirtualClock;
  /** The transport given (the in-memory one by default). */
  transport: ReturnType<typeof memoryTransport>;
  connects: boolean[];
  closes: { reason: string; retryIn: number; at: number }[];
  messages: { topic: string; payload: Uint8Array; info: MessageInfo }[];
  subacks: { filter: string; granted: number }[];
  errors: unknown[];
  /** Chunks of bytes the client has read. */
  chunks: number;
  /** Resolves when `condition` holds, re-checked after every client callback. */
  until(condition: () => boolean, what?: string, timeoutMs?: number): Promise<void>;
}

export function recordedClient(
  overrides: Partial<ClientOptions> = {},
  clock: Clock = new VirtualClock(),
  transport: Transport & Partial<ReturnType<typeof memoryTransport>> = memoryTransport(),
): Recorded {
  const waiters: { condition: () => boolean; resolve: () => void }[] = [];
  const notify = () => {
    for (let i = waiters.length - 1; i >= 0; i--) {
      if (waiters[i]!.condition()) {
        waiters[i]!.resolve();
        waiters.splice(i, 1);
      }
    }
  };
  const recorded: Recorded = {
    client: undefined as unknown as MqttClient,
    clock: clock as VirtualClock,
    transport: transport as ReturnType<typeof memoryTransport>,
    connects: [],
    closes: [],
    messages: [],
    subacks: [],
    errors: [],
    chunks: 0,
    until(condition, what = "condition", timeoutMs = 10000) {
      if (condition()) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(waiter), 1);
          reject(new Error(`client: ${what} did not happen within ${timeoutMs} ms (closes: ${JSON.stringify(recorded.closes)})`));
        }, timeoutMs);
        const waiter = {
          condition,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        };
        waiters.push(waiter);
      });
    },
  };
  // The client's transport, wrapped so that waits re-check after every chunk it reads.
  const watched: Transport = {
    connect: (options, handlers) =>
      transport.connect(options, {
        onOpen: () => handlers.onOpen(),
        onData: (bytes) => {
          handlers.onData(bytes);
          recorded.chunks++;
          notify();
        },
        onClose: (reason) => {
          handlers.onClose(reason);
          notify();
        },
      }),
  };
  recorded.client = createClient({
    clock,
    transport: watched,
    server: { host: "broker.test", port: 1883 },
    random: seeded(42),
    clientId: "node-1",
    onConnect: (sessionPresent) => {
      recorded.connects.push(sessionPresent);
      notify();
    },
    onClose: (reason, retryIn) => {
      recorded.closes.push({ reason, retryIn, at: clock.now() });
      notify();
    },
    onMessage: (topic, payload, info) => {
      recorded.messages.push({ topic, payload: new Uint8Array(payload), info });
      notify();
    },
    onSubscribe: (filter, granted) => {
      recorded.subacks.push({ filter, granted });
      notify();
    },
    onError: (error) => {
      recorded.errors.push(error);
      notify();
    },
    ...overrides,
  });
  return recorded;
}
