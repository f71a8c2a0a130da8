// The embedded broker: real clients (Debian's mosquitto_sub, mqtt.js over TCP and over
// WebSocket) talk to it; a restart drops clients and listens again on the same ports.
import { spawn, type ChildProcess } from "node:child_process";
import mqtt from "mqtt";
import { afterEach, describe, expect, it, vi } from "vitest";
import { startBroker, type EmbeddedBroker } from "../../../sim/broker";

let broker: EmbeddedBroker | undefined;
const clients: mqtt.MqttClient[] = [];
const processes: ChildProcess[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.endAsync(true)));
  processes.splice(0).forEach((p) => p.kill("SIGKILL"));
  await broker?.stop();
  broker = undefined;
});

function client(url: string): Promise<mqtt.MqttClient> {
  const c = mqtt.connect(url, { reconnectPeriod: 0, connectTimeout: 10_000 });
  clients.push(c);
  return new Promise((resolve, reject) => {
    c.once("connect", () => resolve(c));
    c.once("error", reject);
  });
}

describe("embedded broker", () => {
  it("listens on free loopback ports and a real mosquitto_sub receives what an MQTT client publishes (retained)", async () => {
    broker = await startBroker();
    expect(broker.host).toBe("127.0.0.1");
    expect(broker.port).toBeGreaterThan(0);
    expect(broker.wsPort).toBeGreaterThan(0);
    expect(broker.port).not.toBe(broker.wsPort);
    const publisher = await client(broker.url);
    await publisher.publishAsync("sensornode/n1/status", "online", { qos: 1, retain: true });
    // -C 1: exit after one message; the retained status arrives on subscribing
    const sub = spawn("mosquitto_sub", ["-h", broker.host, "-p", String(broker.port), "-t", "sensornode/#", "-v", "-C", "1", "-W", "30"]);
    processes.push(sub);
    let out = "";
    sub.stdout.on("data", (d: Buffer) => (out += d.toString()));
    const code = await new Promise<number | null>((resolve) => sub.on("exit", resolve));
    expect(code).toBe(0);
    expect(out.trim()).toBe("sensornode/n1/status online");
  });

  it("serves MQTT over WebSocket and reports every routed message once, without $SYS", async () => {
    broker = await startBroker();
    const seen: string[] = [];
    broker.onMessage((m) => seen.push(`${m.topic}=${m.payload.toString()}${m.retain ? " r" : ""}`));
    const browser = await client(broker.wsUrl!);
    const received = new Promise<string>((resolve) => browser.on("message", (topic, payload) => resolve(`${topic}=${payload.toString()}`)));
    await browser.subscribeAsync("sensornode/#");
    const node = await client(broker.url);
    await node.publishAsync("sensornode/n1/air/temperature", "21.5", { qos: 1 });
    expect(await received).toBe("sensornode/n1/air/temperature=21.5");
    await vi.waitFor(() => expect(seen).toEqual(["sensornode/n1/air/temperature=21.5"]), { timeout: 10_000 });
  });

  it("restart drops every client and accepts new ones on the same ports; stop frees the port", async () => {
    broker = await startBroker();
    const port = broker.port;
    const wsPort = broker.wsPort;
    const first = await client(broker.url);
    const closed = new Promise<void>((resolve) => first.once("close", () => resolve()));
    expect(broker.clients).toBe(1);
    await broker.restart();
    await closed;
    expect(broker.port).toBe(port);
    expect(broker.wsPort).toBe(wsPort);
    const second = await client(broker.url);
    expect(second.connected).toBe(true);
    await broker.stop();
    broker = undefined;
    await expect(client(`mqtt://127.0.0.1:${port}`)).rejects.toThrow(/ECONNREFUSED/);
  });
});
