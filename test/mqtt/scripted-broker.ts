// A broker the test scripts packet by packet, on a real loopback socket, built on
// mqtt-packet (so every byte the client sends is also checked by a second parser).
// Nothing here sleeps: each wait resolves on a socket event, with a generous limit.
import * as mqtt from "mqtt-packet";
import * as net from "node:net";

const LIMIT = 10000;

/** A promise queue: values pushed before anyone waits are kept. */
class Inbox<T> {
  private items: T[] = [];
  private waiters: ((item: T) => void)[] = [];
  push(item: T) {
    const waiter = this.waiters.shift();
    if (waiter) waiter(item);
    else this.items.push(item);
  }
  next(what: string, timeoutMs = LIMIT): Promise<T> {
    const item = this.items.shift();
    if (item !== undefined) return Promise.resolve(item);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        reject(new Error(`scripted broker: no ${what} within ${timeoutMs} ms`));
      }, timeoutMs);
      const waiter = (value: T) => {
        clearTimeout(timer);
        resolve(value);
      };
      this.waiters.push(waiter);
    });
  }
  get size() {
    return this.items.length;
  }
}

/** The broker's end of one client connection. */
export class BrokerSide {
  private packets = new Inbox<mqtt.Packet>();
  readonly closed: Promise<void>;
  /** Set if the client sent bytes mqtt-packet could not parse. */
  parseError?: Error;

  constructor(readonly socket: net.Socket) {
    const parser = mqtt.parser({ protocolVersion: 4 });
    parser.on("packet", (packet: mqtt.Packet) => this.packets.push(packet));
    parser.on("error", (error: Error) => {
      this.parseError = error;
    });
    socket.on("data", (data) => parser.parse(data));
    socket.on("error", () => undefined);
    this.closed = new Promise((resolve) => socket.once("close", () => resolve()));
  }

  /** The next packet from the client (of type `cmd`, if given: anything else is an error). */
  async next<C extends mqtt.Packet["cmd"]>(cmd?: C): Promise<Extract<mqtt.Packet, { cmd: C }>> {
    const packet = await this.packets.next(cmd ?? "packet");
    if (cmd && packet.cmd !== cmd) throw new Error(`scripted broker: expected ${cmd}, got ${JSON.stringify(packet)}`);
    return packet as Extract<mqtt.Packet, { cmd: C }>;
  }

  /** Packets received and not yet taken with next(). */
  get unread(): number {
    return this.packets.size;
  }

  send(packet: mqtt.Packet): void {
    this.socket.write(mqtt.generate(packet));
  }

  sendBytes(bytes: Uint8Array): void {
    this.socket.write(bytes);
  }

  /** Reads CONNECT and answers CONNACK. */
  async accept(sessionPresent = false, returnCode = 0): Promise<mqtt.IConnectPacket> {
    const connect = await this.next("connect");
    this.send({ cmd: "connack", sessionPresent, returnCode });
    return connect;
  }

  /** The broker drops the connection (no DISCONNECT exists from a 3.1.1 server). */
  async drop(): Promise<void> {
    this.socket.destroy();
    await this.closed;
  }
}

export class ScriptedBroker {
  private connections = new Inbox<BrokerSide>();
  private sides: BrokerSide[] = [];
  private constructor(
    private server: net.Server,
    readonly port: number,
  ) {}

  static async start(): Promise<ScriptedBroker> {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const broker = new ScriptedBroker(server, (server.address() as net.AddressInfo).port);
    server.on("connection", (socket) => {
      socket.setNoDelay(true);
      const side = new BrokerSide(socket);
      broker.sides.push(side);
      broker.connections.push(side);
    });
    return broker;
  }

  get address(): { host: string; port: number } {
    return { host: "127.0.0.1", port: this.port };
  }

  /** The next connection the client opens. */
  nextConnection(): Promise<BrokerSide> {
    return this.connections.next("connection");
  }

  async close(): Promise<void> {
    for (const side of this.sides) side.socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
