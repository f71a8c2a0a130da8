// The embedded MQTT broker for `npm start` and `sensornode sim` (issue 6): aedes on free
// loopback ports, MQTT over TCP for the nodes and any client (mosquitto_sub), and MQTT over
// WebSocket on an HTTP server that can also serve the simulator's web page.
//
//   const broker = await startBroker({ http: (req, res) => ... });
//   broker.onMessage((m) => ...);   // every PUBLISH the broker routes ($SYS left out)
//   await broker.restart();         // the "broker restart" fault: clients dropped, same ports
//   await broker.stop();
//
// No persistence, like a Mosquitto without `persistence true`: a restart forgets retained
// messages and sessions, so the nodes must publish their status again after reconnecting.
import http from "node:http";
import net from "node:net";
import { Aedes } from "aedes";
import { WebSocketServer, createWebSocketStream } from "ws";

export interface BrokerMessage {
  topic: string;
  payload: Buffer;
  qos: number;
  retain: boolean;
  /** Client id of the publisher (undefined for the broker's own messages). */
  client?: string;
}

export interface BrokerClientEvent {
  type: "connect" | "disconnect";
  client: string;
}

export interface BrokerOptions {
  /** Listen address (default 127.0.0.1: nothing outside this machine can reach the simulator). */
  host?: string;
  /** TCP port for MQTT (default 0: a free one). */
  port?: number;
  /** HTTP + WebSocket port (default 0: a free one); false: no WebSocket listener. */
  wsPort?: number | false;
  /** Serves plain HTTP requests on the WebSocket port (the web page); default 404. */
  http?: (request: http.IncomingMessage, response: http.ServerResponse) => void;
}

export interface EmbeddedBroker {
  readonly host: string;
  /** MQTT over TCP. */
  readonly port: number;
  /** HTTP + MQTT over WebSocket (path /mqtt, any path accepted), or undefined. */
  readonly wsPort: number | undefined;
  /** mqtt://host:port */
  readonly url: string;
  /** ws://host:wsPort/mqtt, or undefined. */
  readonly wsUrl: string | undefined;
  /** Clients connected now. */
  readonly clients: number;
  onMessage(listener: (message: BrokerMessage) => void): () => void;
  onClient(listener: (event: BrokerClientEvent) => void): () => void;
  /** Bytes read from and written to the TCP client whose port is `remotePort`, or undefined. */
  flow(remotePort: number): { read: number; written: number } | undefined;
  /** Drops every client and listens again on the same ports with an empty broker. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export async function startBroker(options: BrokerOptions = {}): Promise<EmbeddedBroker> {
  const host = options.host ?? "127.0.0.1";
  const messageListeners = new Set<(message: BrokerMessage) => void>();
  const clientListeners = new Set<(event: BrokerClientEvent) => void>();
  const sockets = new Set<net.Socket>();
  /** MQTT-over-TCP clients by their remote port. */
  const byPort = new Map<number, net.Socket>();
  let aedes: Aedes;
  let tcp: net.Server;
  let web: http.Server | undefined;
  let wss: WebSocketServer | undefined;
  let port = options.port ?? 0;
  let wsPort = options.wsPort === false ? undefined : (options.wsPort ?? 0);
  let stopped = false;

  async function open(): Promise<void> {
    aedes = await Aedes.createBroker();
    aedes.on("publish", (packet, client) => {
      if (packet.topic.startsWith("$SYS/")) return;
      const message: BrokerMessage = { topic: packet.topic, payload: Buffer.from(packet.payload), qos: packet.qos, retain: packet.retain, client: client?.id };
      messageListeners.forEach((listener) => listener(message));
    });
    aedes.on("client", (client) => clientListeners.forEach((listener) => listener({ type: "connect", client: client.id })));
    aedes.on("clientDisconnect", (client) => clientListeners.forEach((listener) => listener({ type: "disconnect", client: client.id })));
    // A client that vanishes mid-packet is normal in a simulator (faults, Ctrl-C): not an error to print.
    aedes.on("clientError", () => {});
    aedes.on("connectionError", () => {});

    tcp = net.createServer((socket) => {
      sockets.add(socket);
      const remotePort = socket.remotePort;
      if (remotePort !== undefined) byPort.set(remotePort, socket);
      socket.on("close", () => {
        sockets.delete(socket);
        if (remotePort !== undefined && byPort.get(remotePort) === socket) byPort.delete(remotePort);
      });
      aedes.handle(socket);
    });
    port = await listen(tcp, port, host);

    if (wsPort !== undefined) {
      web = http.createServer((request, response) => {
        if (options.http) return options.http(request, response);
        response.writeHead(404, { "content-type": "text/plain" }).end("not found\n");
      });
      web.on("connection", (socket) => {
        sockets.add(socket);
        socket.on("close", () => sockets.delete(socket));
      });
      wss = new WebSocketServer({ server: web });
      wss.on("connection", (socket, request) => aedes.handle(createWebSocketStream(socket) as never, request as never));
      wsPort = await listen(web, wsPort, host);
    }
  }

  async function close(): Promise<void> {
    // Stop accepting first, then end the clients' connections (a broker that goes away).
    const closing = [closeServer(tcp)];
    if (web) closing.push(closeServer(web));
    wss?.clients.forEach((client) => client.terminate());
    wss?.close();
    sockets.forEach((socket) => socket.destroy());
    await new Promise<void>((resolve) => aedes.close(() => resolve()));
    await Promise.all(closing);
  }

  await open();

  return {
    host,
    get port() {
      return port;
    },
    get wsPort() {
      return wsPort;
    },
    get url() {
      return `mqtt://${host}:${port}`;
    },
    get wsUrl() {
      return wsPort === undefined ? undefined : `ws://${host}:${wsPort}/mqtt`;
    },
    get clients() {
      return aedes.connectedClients;
    },
    flow(remotePort) {
      const socket = byPort.get(remotePort);
      return socket ? { read: socket.bytesRead, written: socket.bytesWritten } : undefined;
    },
    onMessage(listener) {
      messageListeners.add(listener);
      return () => messageListeners.delete(listener);
    },
    onClient(listener) {
      clientListeners.add(listener);
      return () => clientListeners.delete(listener);
    },
    async restart() {
      if (stopped) throw new Error("the broker is stopped; start a new one");
      await close();
      await open();
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await close();
    },
  };
}

function listen(server: net.Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve((server.address() as net.AddressInfo).port);
    });
  });
}

function closeServer(server: net.Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}
