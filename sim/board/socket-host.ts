// Real TCP/TLS sockets for virtual boards, owned by one worker thread so that a connect can
// be SYNCHRONOUS on the main thread, as it is on the board: Espruino on ESP32 (and Linux)
// calls a blocking connect() inside net.connect and throws "Unable to create socket" when
// it fails (libs/network/esp32/network_esp32.c, socketserver.c clientRequestConnect). Node
// has no synchronous connect, so the main thread posts the request and waits on an
// Atomics flag that the worker sets once the TCP handshake succeeded or failed.
//
// The wait is bounded (`syncWaitMs`): a black-holed address would freeze every board in the
// process, not just one. Past the bound the connection goes on asynchronously and a late
// failure arrives as an 'error' event instead (documented deviation).
//
// Data crosses as 8-bit strings (latin1), Espruino's own representation, so nothing is
// re-encoded on the way. Every socket event updates `lastActivity`, which virtual-time runs
// use to wait for the network to go quiet before jumping ahead.
import { performance } from "node:perf_hooks";
import { Worker } from "node:worker_threads";

const WORKER_SOURCE = String.raw`
const { parentPort } = require("node:worker_threads");
const net = require("node:net");
const tls = require("node:tls");
const dns = require("node:dns");
const sockets = new Map();
const post = (message) => parentPort.postMessage(message);
function settle(flag, state, errno) {
  if (Atomics.load(flag, 0) !== 0) return false;
  Atomics.store(flag, 1, errno | 0);
  Atomics.store(flag, 0, state);
  Atomics.notify(flag, 0);
  return true;
}
const ERRNO = { ECONNREFUSED: 111, EHOSTUNREACH: 113, ENETUNREACH: 101, ETIMEDOUT: 110, ECONNRESET: 104 };
function connect(m) {
  const flag = new Int32Array(m.flag);
  const id = m.id;
  dns.lookup(m.host, { family: 4 }, (error, address) => {
    if (error) {
      settle(flag, 3, 0);
      post({ ev: "fail", id, kind: "unresolvable", message: error.code || String(error) });
      return;
    }
    const raw = net.connect({ host: address, port: m.port });
    raw.setNoDelay(true);
    let open = false;
    let stream = raw;
    const wire = (s) => {
      s.on("data", (data) => post({ ev: "data", id, data: data.toString("latin1") }));
      s.on("end", () => post({ ev: "end", id }));
      s.on("close", (hadError) => { sockets.delete(id); post({ ev: "close", id, hadError: !!hadError }); });
    };
    raw.once("connect", () => {
      open = true;
      settle(flag, 1, 0);
      if (!m.tls) {
        sockets.set(id, raw);
        wire(raw);
        post({ ev: "connect", id, localPort: raw.localPort });
        return;
      }
      // Espruino's mbedTLS setup verifies nothing (network.c: MBEDTLS_SSL_VERIFY_NONE) and
      // sends no usable SNI: the same here.
      stream = tls.connect({ socket: raw, rejectUnauthorized: false, ca: m.ca || undefined });
      sockets.set(id, stream);
      stream.once("secureConnect", () => post({ ev: "connect", id }));
      stream.on("error", (e) => post({ ev: "error", id, message: e.message, tls: true }));
      wire(stream);
    });
    raw.on("error", (e) => {
      if (!open) {
        const errno = ERRNO[e.code] || 111;
        settle(flag, 2, errno);
        // news only when the main thread stopped waiting (it drops the message otherwise)
        post({ ev: "fail", id, kind: "refused", errno, message: e.code || e.message });
        return;
      }
      if (stream === raw) post({ ev: "error", id, message: e.code || e.message });
    });
  });
}
parentPort.on("message", (m) => {
  if (m.op === "connect") return connect(m);
  if (m.op === "ping") return settle(new Int32Array(m.flag), 1, 0);
  const s = sockets.get(m.id);
  if (!s) return;
  if (m.op === "write") {
    s.write(Buffer.from(m.data, "latin1"), () => { if (s.writableLength === 0) post({ ev: "drain", id: m.id }); });
  } else if (m.op === "end") s.end();
  else if (m.op === "destroy") s.destroy();
});
`;

export type ConnectOutcome =
  | { state: "connected" }
  | { state: "pending" }
  | { state: "refused"; errno: number }
  | { state: "unresolvable" };

export interface HostSocketEvents {
  /** TCP connected (TLS: handshake done). */
  onConnect(): void;
  onData(data: string): void;
  onDrain(): void;
  onEnd(): void;
  onClose(hadError: boolean): void;
  /** An error on an open socket, or a failure that arrived after the synchronous wait. */
  onError(message: string, kind: "refused" | "unresolvable" | "tls" | "socket"): void;
}

export interface HostSocket {
  readonly id: number;
  write(data: string): void;
  end(): void;
  destroy(): void;
}

export interface SocketHostOptions {
  /** Longest a connect blocks the main thread (ms, real time). */
  syncWaitMs?: number;
}

/** One per process (see `socketHost()`); boards share it. */
export class SocketHost {
  private worker: Worker | undefined;
  private nextId = 1;
  private handlers = new Map<number, HostSocketEvents>();
  private readonly syncWaitMs: number;
  /** performance.now() of the last socket event or write. */
  lastActivity = 0;
  /** Bytes each way on every open plain-TCP socket, by its local port (see flows()). */
  private readonly counts = new Map<number, { localPort?: number; written: number; received: number }>();

  constructor(options: SocketHostOptions = {}) {
    this.syncWaitMs = options.syncWaitMs ?? 3000;
  }

  /** Open sockets (connecting or connected). */
  get open(): number {
    return this.handlers.size;
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(WORKER_SOURCE, { eval: true });
    worker.unref();
    worker.on("message", (message: { ev: string; id: number } & Record<string, any>) => this.dispatch(message));
    worker.on("error", (error) => {
      // A worker crash closes every socket; the boards see their peers drop.
      for (const [id, h] of this.handlers) {
        this.handlers.delete(id);
        h.onError(String(error), "socket");
        h.onClose(true);
      }
      this.worker = undefined;
    });
    this.worker = worker;
    // Wait for it to run once, so the first connect's bounded wait is not spent starting up.
    const flag = new Int32Array(new SharedArrayBuffer(8));
    worker.postMessage({ op: "ping", flag: flag.buffer });
    Atomics.wait(flag, 0, 0, 10_000);
    return worker;
  }

  /**
   * Connects, blocking until the TCP handshake is decided (or `syncWaitMs` passes). The
   * events start arriving after this returns.
   */
  connect(options: { host: string; port: number; tls?: boolean; ca?: string }, events: HostSocketEvents): { socket: HostSocket; outcome: ConnectOutcome } {
    const worker = this.start();
    const id = this.nextId++;
    const flag = new Int32Array(new SharedArrayBuffer(8));
    this.handlers.set(id, events);
    this.lastActivity = performance.now();
    worker.postMessage({ op: "connect", id, host: options.host, port: options.port, tls: !!options.tls, ca: options.ca, flag: flag.buffer });
    Atomics.wait(flag, 0, 0, this.syncWaitMs);
    const state = Atomics.load(flag, 0);
    let outcome: ConnectOutcome;
    if (state === 1) outcome = { state: "connected" };
    else if (state === 2) outcome = { state: "refused", errno: Atomics.load(flag, 1) };
    else if (state === 3) outcome = { state: "unresolvable" };
    else outcome = { state: "pending" };
    if (outcome.state === "refused" || outcome.state === "unresolvable") this.handlers.delete(id);
    else {
      worker.ref();
      if (!options.tls) this.counts.set(id, { written: 0, received: 0 });
    }
    const socket: HostSocket = {
      id,
      write: (data: string) => {
        if (!this.handlers.has(id)) return;
        this.lastActivity = performance.now();
        const count = this.counts.get(id);
        if (count) count.written += data.length;
        worker.postMessage({ op: "write", id, data });
      },
      end: () => {
        if (this.handlers.has(id)) worker.postMessage({ op: "end", id });
      },
      destroy: () => {
        if (this.handlers.has(id)) worker.postMessage({ op: "destroy", id });
      },
    };
    return { socket, outcome };
  }

  /**
   * Open plain-TCP sockets: local port, bytes written to it and bytes received from it so far.
   * With the other end's byte counts (the embedded broker's), virtual time can tell that
   * nothing is on the wire any more.
   */
  /** True when every open socket is a connected plain-TCP one, so flows() accounts for all traffic. */
  accounted(): boolean {
    for (const id of this.handlers.keys()) if (this.counts.get(id)?.localPort === undefined) return false;
    return true;
  }

  flows(): { localPort: number; written: number; received: number }[] {
    const out: { localPort: number; written: number; received: number }[] = [];
    this.counts.forEach((count) => {
      if (count.localPort !== undefined) out.push({ localPort: count.localPort, written: count.written, received: count.received });
    });
    return out;
  }

  /** Resolves once no socket event happened for `quietMs` (immediately with no socket open). */
  async quiet(quietMs = 3): Promise<void> {
    for (;;) {
      if (this.handlers.size === 0) return;
      const idle = performance.now() - this.lastActivity;
      if (idle >= quietMs) return;
      await new Promise((resolve) => setTimeout(resolve, quietMs - idle));
    }
  }

  private dispatch(message: { ev: string; id: number } & Record<string, any>): void {
    const h = this.handlers.get(message.id);
    if (!h) return;
    this.lastActivity = performance.now();
    switch (message.ev) {
      case "connect": {
        const count = this.counts.get(message.id);
        if (count && typeof message.localPort === "number") count.localPort = message.localPort;
        h.onConnect();
        break;
      }
      case "data": {
        const count = this.counts.get(message.id);
        if (count) count.received += (message.data as string).length;
        h.onData(message.data as string);
        break;
      }
      case "drain":
        h.onDrain();
        break;
      case "end":
        h.onEnd();
        break;
      case "error":
        h.onError(String(message.message), message.tls ? "tls" : "socket");
        break;
      case "fail":
        // Only a failure the synchronous wait did not see is news here.
        this.handlers.delete(message.id);
        this.counts.delete(message.id);
        h.onError(String(message.message), message.kind);
        h.onClose(true);
        break;
      case "close":
        this.handlers.delete(message.id);
        this.counts.delete(message.id);
        h.onClose(!!message.hadError);
        break;
    }
    if (this.handlers.size === 0) this.worker?.unref();
  }
}

let shared: SocketHost | undefined;

/** The process-wide socket host. */
export function socketHost(): SocketHost {
  if (!shared) shared = new SocketHost();
  return shared;
}
