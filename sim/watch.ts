// What a real broker (--broker) sees: an MQTT client subscribed to '#', so `sim --json` and
// the live view show the same messages as with the embedded broker.
import mqtt from "mqtt";
import type { BrokerMessage } from "./broker";

export async function watchBroker(address: { host: string; port: number }, listener: (message: BrokerMessage) => void): Promise<() => Promise<void>> {
  const client = mqtt.connect({ host: address.host, port: address.port, protocolVersion: 4, clientId: `sensornode-sim-${process.pid}`, reconnectPeriod: 1000, connectTimeout: 5000 });
  await new Promise<void>((resolve, reject) => {
    client.once("connect", () => resolve());
    client.once("error", (error) =>
      reject(new Error(`cannot reach the broker at mqtt://${address.host}:${address.port} (${error.message}); start it, or leave out --broker to use the embedded one`)),
    );
    setTimeout(() => reject(new Error(`the broker at mqtt://${address.host}:${address.port} did not answer within 5 s; check the address, or leave out --broker to use the embedded one`)), 5000).unref();
  }).catch((error: unknown) => {
    client.end(true);
    throw error;
  });
  client.on("message", (topic, payload, packet) => listener({ topic, payload, qos: packet.qos, retain: packet.retain }));
  await client.subscribeAsync("#", { qos: 0 });
  return () => client.endAsync();
}
