// Espruino's require("net") and require("tls") for one boot of a virtual board, backed by
// real sockets (socket-host.ts), with Espruino's semantics (measured on the Linux build of
// 2v29 against a Node TCP server, and read in libs/network/socketserver.c):
//  - connect(options, callback) returns a Socket at once; the callback runs later, from the
//    event loop, followed by 'drain' when nothing was written yet;
//  - 'data' delivers 8-bit STRINGS; write(string) sends each char code as one byte;
//    write(Uint8Array or Array) sends the TEXT of the array ("1,2,3"), as String() does;
//  - the peer closing fires 'end' then 'close' (close's argument: had an error);
//  - failures (socketserver.c fireErrorEvent): 'error' with {code, message}, then 'end',
//    then 'close'(true); codes from socketerrors.h;
//  - a refused or unresolvable connect THROWS from net.connect on boards whose connect is
//    blocking (ESP32: network_esp32.c; Linux): InternalError "Unable to create socket"
//    (after printing "ERROR: Connect failed (err N)") or "Unable to locate host". On ESP8266
//    espconn is asynchronous (network_esp8266.c): connect returns, and the failure arrives
//    as 'error' {code: -6, "not found"} or {code: -9, "connection reset"}, 'end', 'close'.
// Fault seam: `NetworkFaults` can refuse or fail a connect and sees every chunk each way
// (deliver now, later, or never); `BoardNetwork.sockets` lists the live ones so a scenario
// can drop a peer.
import type { ConnectOutcome, HostSocket, SocketHost } from "./socket-host";

/** Socket error codes (libs/network/socketerrors.h) and their messages (socketerrors.c). */
export const SOCKET_ERRORS = {
  closed: { code: -1, message: "connection closed" },
  timeout: { code: -3, message: "timeout" },
  noRoute: { code: -4, message: "no route" },
  notFound: { code: -6, message: "not found" },
  reset: { code: -9, message: "connection reset" },
  unknown: { code: -10, message: "unknown error" },
  sslHandshake: { code: -13, message: "SSL handshake failed" },
};

export interface ConnectTarget {
  host: string;
  port: number;
  tls: boolean;
}

export interface NetworkFaults {
  /** Before a real attempt: force an outcome, or undefined to try for real. */
  connect?(target: ConnectTarget): "refused" | "unresolvable" | "no-route" | undefined;
  /** Every chunk passes here: call deliver() now, later (latency) or never (half-open); deliver(part) passes a piece of it (call once per piece, in order). */
  transfer?(direction: "send" | "receive", data: string, deliver: (part?: string) => void, socket: LiveSocket): void;
}

export interface NetworkOptions {
  /** Where a host:port the firmware asks for really is (the broker on loopback); undefined = unresolvable. */
  route?(host: string, port: number): { host: string; port: number } | undefined;
  faults?: NetworkFaults;
}

/** The board side of a socket, for the simulator (fault injection, inspection). */
export interface LiveSocket {
  readonly target: ConnectTarget;
  readonly opened: number;
  /** Bytes each way so far. */
  sent: number;
  received: number;
  /** The peer vanishes: 'end' then 'close' on the board, the real connection is destroyed. */
  drop(): void;
}

/** What net.ts needs from the board runtime. */
export interface NetRuntime {
  host: SocketHost;
  options: NetworkOptions;
  board: "ESP32" | "ESP8266" | "LINUX";
  /** Whether the board has a network right now (WiFi associated, or LINUX). */
  online(): boolean;
  /** Runs a firmware callback from the event loop (uncaught errors reported, nothing after sleep). */
  invoke(fn: unknown, self: unknown, args: unknown[]): void;
  /** Later, from the event loop (the board's clock, 0 ms). */
  defer(fn: () => void): void;
  /** A new object of the board's realm (so it has Espruino's on/emit). */
  object(): Record<string, any>;
  error(kind: "InternalError", message: string): Error;
  print(line: string): void;
  event(type: string, data: Record<string, unknown>): void;
  sockets: Set<LiveSocket>;
}

function emit(runtime: NetRuntime, socket: Record<string, any>, event: string, args: unknown[]): void {
  const listeners = socket["#on" + event];
  if (!listeners) return;
  const list = typeof listeners === "function" ? [listeners] : Array.prototype.slice.call(listeners);
  list.forEach((fn: unknown) => runtime.invoke(fn, socket, args));
}

export function netModule(runtime: NetRuntime, tls: boolean): Record<string, unknown> {
  const module = runtime.object();
  module.connect = function (options: unknown, callback?: unknown): Record<string, any> {
    return connect(runtime, tls, options, callback);
  };
  return module;
}

function parseOptions(options: unknown): { host: string; port: number; ca?: string } {
  if (typeof options === "string") {
    // Espruino accepts url.parse output or "host:port"
    const match = /^(?:\w+:\/\/)?([^:/]+)(?::(\d+))?/.exec(options);
    return { host: match ? match[1]! : options, port: match && match[2] ? Number(match[2]) : 0 };
  }
  const o = (options ?? {}) as { host?: unknown; port?: unknown; ca?: unknown };
  return { host: o.host === undefined ? "127.0.0.1" : String(o.host), port: Number(o.port) || 0, ca: typeof o.ca === "string" ? o.ca : undefined };
}

function connect(runtime: NetRuntime, tls: boolean, options: unknown, callback: unknown): Record<string, any> {
  const parsed = parseOptions(options);
  const target: ConnectTarget = { host: parsed.host, port: parsed.port || (tls ? 443 : 0), tls };
  const socket = runtime.object();
  const throws = runtime.board !== "ESP8266";
  let closed = false;
  let ended = false;
  let wrote = false;
  const link: { socket?: HostSocket } = {};
  const faults = runtime.options.faults;
  // Espruino keeps the callback as the socket's 'connect' listener (the Socket has "#onconnect").
  if (typeof callback === "function") socket.on("connect", callback);

  const live: LiveSocket = {
    target,
    opened: Date.now(),
    sent: 0,
    received: 0,
    drop() {
      if (closed) return;
      link.socket?.destroy();
      finish(undefined);
    },
  };

  function finish(error: { code: number; message: string } | undefined): void {
    if (closed) return;
    closed = true;
    runtime.sockets.delete(live);
    runtime.event("socket-close", { host: target.host, port: target.port, error: error?.message });
    if (error) emit(runtime, socket, "error", [Object.assign(runtime.object(), error)]);
    if (!ended) {
      ended = true;
      emit(runtime, socket, "end", []);
    }
    emit(runtime, socket, "close", [!!error]);
  }

  /** Refused / unresolvable / no route: throw (ESP32, Linux) or report asynchronously (ESP8266). */
  function fail(kind: "refused" | "unresolvable" | "no-route", errno: number): Record<string, any> {
    runtime.event("socket-fail", { host: target.host, port: target.port, kind });
    if (throws) {
      if (kind === "unresolvable") throw runtime.error("InternalError", "Unable to locate host");
      runtime.print(`ERROR: Connect failed (err ${errno})`);
      throw runtime.error("InternalError", "Unable to create socket");
    }
    const error = kind === "unresolvable" ? SOCKET_ERRORS.notFound : kind === "no-route" ? SOCKET_ERRORS.noRoute : SOCKET_ERRORS.reset;
    runtime.defer(() => finish(error));
    return socket;
  }

  if (!runtime.online()) return fail("no-route", 113);
  const forced = faults?.connect?.(target);
  if (forced) return fail(forced, forced === "refused" ? 111 : 113);
  const route = runtime.options.route ? runtime.options.route(target.host, target.port) : { host: target.host, port: target.port };
  if (!route) return fail("unresolvable", 0);

  const receive = (data: string) => {
    if (closed) return;
    live.received += data.length;
    emit(runtime, socket, "data", [data]);
  };
  const opened = runtime.host.connect(
    { host: route.host, port: route.port, tls, ca: parsed.ca },
    {
      onConnect() {
        if (closed) return;
        runtime.event("socket-open", { host: target.host, port: target.port, tls });
        emit(runtime, socket, "connect", [socket]);
        if (!wrote) emit(runtime, socket, "drain", [socket]);
      },
      onData(data: string) {
        if (faults?.transfer) faults.transfer("receive", data, (part?: string) => receive(part ?? data), live);
        else receive(data);
      },
      onDrain() {
        if (!closed) emit(runtime, socket, "drain", [socket]);
      },
      onEnd() {
        if (closed || ended) return;
        ended = true;
        emit(runtime, socket, "end", []);
      },
      onClose(hadError: boolean) {
        finish(hadError ? SOCKET_ERRORS.reset : undefined);
      },
      onError(message: string, kind: string) {
        if (kind === "tls") return finish(SOCKET_ERRORS.sslHandshake);
        if (kind === "unresolvable") return finish(SOCKET_ERRORS.notFound);
        if (kind === "refused") return finish(SOCKET_ERRORS.reset);
        runtime.event("socket-error", { host: target.host, port: target.port, message });
      },
    },
  );
  const outcome: ConnectOutcome = opened.outcome;
  if (outcome.state === "refused") return fail("refused", outcome.errno);
  if (outcome.state === "unresolvable") return fail("unresolvable", 0);
  const host = opened.socket;
  link.socket = host;
  runtime.sockets.add(live);

  socket.write = function (data: unknown): boolean {
    if (closed) return false;
    // Espruino sends the string form of whatever it is given: an array or typed array goes
    // out as "1,2,3" (measured), a string byte for byte (char codes above 255 lose their top bits).
    const text = eightBit(typeof data === "string" ? data : String(data));
    wrote = true;
    live.sent += text.length;
    if (faults?.transfer) faults.transfer("send", text, (part?: string) => { if (!closed) host.write(part ?? text); }, live);
    else host.write(text);
    return true;
  };
  socket.end = function (data?: unknown): void {
    if (data !== undefined) socket.write(data);
    if (!closed) host.end();
  };
  socket.available = function (): number {
    return 0;
  };
  return socket;
}

/** An ESP board's strings are 8-bit: a character above 255 keeps its low byte only. */
function eightBit(text: string): string {
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) > 255) {
      let out = "";
      for (let j = 0; j < text.length; j++) out += String.fromCharCode(text.charCodeAt(j) & 0xff);
      return out;
    }
  }
  return text;
}
