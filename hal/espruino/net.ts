// The Espruino transport: require("net") / require("tls") behind hal/net.ts's Transport.
// This file is the ONLY place that converts between bytes and Espruino's 8-bit strings:
// socket.write(Uint8Array) on Espruino sends the TEXT "1,2,3", so bytes go out through
// E.toString(bytes); 'data' arrives as a string and comes back through E.toUint8Array.
// Measured on Espruino 2v29: net.connect THROWS synchronously on a refused or unresolvable
// host (no 'error' event), sockets have end() but no destroy(), and a dropped peer fires
// 'end' then 'close'. ESP8266 builds have no "tls" module: asking for TLS there ends in
// onClose with the reason.
import type { Connection, Transport, TransportHandlers, TransportOptions } from "../net";

// Espruino globals, declared here only (no global .d.ts for others to trip on).
declare const E: {
  toString(bytes: Uint8Array): string;
  toUint8Array(text: string): Uint8Array;
};
// Modules are loaded through global.require rather than a bare require("net"): esbuild
// would otherwise try to bundle "net" (or wrap it in a __require shim built on Proxy).
declare const global: { require(name: string): EspruinoNet };
declare function setTimeout(callback: () => void, ms: number): unknown;

interface EspruinoSocket {
  write(data: string): void;
  end(): void;
  on(event: string, listener: (argument: unknown) => void): void;
}

interface EspruinoNet {
  connect(options: { host: string; port: number; ca?: string }, onConnect: () => void): EspruinoSocket;
}

function reasonOf(error: unknown): string {
  const message = error ? (error as { message?: unknown }).message : undefined;
  return message ? String(message) : String(error);
}

export const espruinoTransport: Transport = {
  connect(options: TransportOptions, handlers: TransportHandlers): Connection {
    let socket: EspruinoSocket | undefined;
    let done = false;
    let reason = "closed by peer";
    const finish = () => {
      if (done) return;
      done = true;
      socket = undefined;
      handlers.onClose(reason);
    };
    const connection: Connection = {
      write(bytes: Uint8Array) {
        if (!socket) return;
        try {
          socket.write(E.toString(bytes));
        } catch (error) {
          reason = "write failed: " + reasonOf(error);
          connection.destroy();
        }
      },
      end() {
        if (socket) socket.end();
      },
      // Espruino sockets have no destroy(): end() is the quickest close there is. Report the
      // close now, as a destroyed Node socket would, rather than wait for the peer.
      destroy() {
        const s = socket;
        socket = undefined;
        if (s) {
          try {
            s.end();
          } catch (ignored) {
            // already closed
          }
        }
        if (reason === "closed by peer") reason = "destroyed";
        setTimeout(finish, 0);
      },
    };
    try {
      const module = global.require(options.tls ? "tls" : "net");
      const settings: { host: string; port: number; ca?: string } = { host: options.host, port: options.port };
      if (options.tls && options.ca) settings.ca = options.ca;
      const s = module.connect(settings, () => {
        if (socket === s) handlers.onOpen();
      });
      socket = s;
      s.on("data", (data) => {
        if (socket === s) handlers.onData(E.toUint8Array(data as string));
      });
      s.on("error", (error) => {
        reason = reasonOf(error);
      });
      s.on("end", finish);
      s.on("close", finish);
    } catch (error) {
      // Refused or unresolvable: report it after connect() has returned, like any other close.
      reason = reasonOf(error);
      setTimeout(finish, 0);
    }
    return connection;
  },
};
