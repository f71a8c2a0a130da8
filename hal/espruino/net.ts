// The Espruino transport: require("net") / require("tls") behind hal/net.ts's Transport.
// This file is the ONLY place that converts between bytes and Espruino's 8-bit strings:
// socket.write(Uint8Array) on Espruino sends the TEXT "1,2,3", so bytes go out through
// E.toString(bytes); 'data' arrives as a string and comes back through E.toUint8Array.
// Measured on Espruino 2v29: net.connect THROWS synchronously on a refused or unresolvable
// host (no 'error' event), sockets have end() but no destroy(), and a dropped peer fires
// 'end' then 'close'. ESP8266 builds have no "tls" module: asking for TLS there ends in
// onClose with the reason.
// TLS caveat, measured on the Linux build of 2v29: Espruino does NOT verify the server's
// certificate (its network.c sets MBEDTLS_SSL_VERIFY_NONE): a connection with the wrong CA
// still opens. The `ca` is passed for when it does; until then TLS on Espruino gives
// privacy on the wire, not authentication of the broker.
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
declare function atob(base64: string): string;

interface EspruinoSocket {
  write(data: string): void;
  end(): void;
  on(event: string, listener: (argument: unknown) => void): void;
}

interface EspruinoNet {
  connect(options: { host: string; port: number; ca?: string }, onConnect: () => void): EspruinoSocket;
}

/**
 * Espruino hands a `ca` string longer than 100 characters straight to
 * mbedtls_x509_crt_parse without the terminating NUL that mbedTLS needs for PEM, so a PEM
 * string fails ("mbedtls_x509_crt_parse of 'ca': Invalid format", measured on 2v29). DER
 * parses: strip the armour and decode the base64 (Espruino's atob returns the bytes as a
 * string). A string of 100 characters or fewer is a file name to Espruino: passed as is.
 */
function caForEspruino(ca: string): string {
  if (ca.indexOf("-----BEGIN") < 0) return ca;
  const lines = ca.split("\n");
  let body = "";
  let inside = false;
  lines.forEach((line) => {
    const text = line.trim();
    if (text.indexOf("-----BEGIN") === 0) inside = true;
    else if (text.indexOf("-----END") === 0) inside = false;
    else if (inside) body += text;
  });
  return atob(body);
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
          } catch {
            // already closed
          }
        }
        if (reason === "closed by peer") reason = "destroyed";
        setTimeout(finish, 0);
      },
    };
    try {
      // A board without TLS leaves the "tls" path (and caForEspruino) out of its bundle.
      const module = global.require(SENSORNODE_FEATURES.tls && options.tls ? "tls" : "net");
      const settings: { host: string; port: number; ca?: string } = { host: options.host, port: options.port };
      if (SENSORNODE_FEATURES.tls && options.tls && options.ca) settings.ca = caForEspruino(options.ca);
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
