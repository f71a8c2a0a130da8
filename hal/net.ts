// One small transport interface for the MQTT client. Bytes are Uint8Array on this side;
// the Espruino adapter converts to and from Espruino's 8-bit strings in exactly one place.

export interface TransportOptions {
  host: string;
  port: number;
  tls?: boolean;
  /** PEM strings, TLS only. */
  ca?: string;
  /** TLS only: verify the server certificate (default true). */
  rejectUnauthorized?: boolean;
}

export interface TransportHandlers {
  /** The TCP (and TLS) connection is up. */
  onOpen(): void;
  /** Bytes arrived. */
  onData(bytes: Uint8Array): void;
  /** The connection ended, for whatever reason; called exactly once per connect(). */
  onClose(reason: string): void;
}

export interface Connection {
  write(bytes: Uint8Array): void;
  /** Graceful close (FIN after pending writes). */
  end(): void;
  /** Immediate close. */
  destroy(): void;
}

export interface Transport {
  /**
   * Opens a connection. Never throws: a refused or unresolvable host ends in onClose
   * (Espruino's net.connect throws synchronously there; the adapter turns it into onClose).
   */
  connect(options: TransportOptions, handlers: TransportHandlers): Connection;
}
