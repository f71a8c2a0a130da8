// The Node transport (node:net / node:tls) behind hal/net.ts's Transport, for tests and
// the simulator. Same contract as hal/espruino/net.ts: bytes are Uint8Array, connect()
// never throws, onClose is called exactly once per connect().
import * as net from "node:net";
import * as tls from "node:tls";
import type { Connection, Transport, TransportHandlers, TransportOptions } from "../hal/net";

export const nodeTransport: Transport = {
  connect(options: TransportOptions, handlers: TransportHandlers): Connection {
    let socket: net.Socket | undefined;
    let done = false;
    let reason = "closed by peer";
    const finish = () => {
      if (done) return;
      done = true;
      handlers.onClose(reason);
    };
    try {
      if (options.tls) {
        socket = tls.connect({
          host: options.host,
          port: options.port,
          ca: options.ca,
          rejectUnauthorized: options.rejectUnauthorized !== false,
          // SNI only for names, never for IP addresses (RFC 6066 3).
          servername: net.isIP(options.host) ? undefined : options.host,
        });
        socket.once("secureConnect", () => handlers.onOpen());
      } else {
        socket = net.connect({ host: options.host, port: options.port });
        socket.once("connect", () => handlers.onOpen());
      }
      socket.setNoDelay(true);
      socket.on("data", (data: Buffer) => {
        if (!done) handlers.onData(new Uint8Array(data));
      });
      socket.on("error", (error: Error) => {
        reason = error.message;
      });
      socket.on("close", finish);
    } catch (error) {
      reason = (error as Error).message;
      setImmediate(finish);
    }
    const s = socket;
    return {
      write(bytes: Uint8Array) {
        if (s && !done && !s.destroyed) s.write(bytes);
      },
      end() {
        if (s) s.end();
      },
      destroy() {
        if (reason === "closed by peer") reason = "destroyed";
        if (s) s.destroy();
      },
    };
  },
};
