// Espruino entry point: the only firmware file that wires hal/espruino/ (design.md §2).
// Everything else comes in through createNode's options.
import { drivers } from "sensornode:drivers";
import { discoveryCount, discoveryMessage, plan } from "sensornode:plan";
import { espruinoTransport } from "../hal/espruino/net";
import { createEspruinoPlatform } from "../hal/espruino/platform";
import { espruinoSystem } from "../hal/espruino/system";
import { espruinoWifi } from "../hal/espruino/wifi";
import { config, configHash, configSummary, firmwareVersion } from "./config";
import { createNode } from "./node";

// The boot line "sensornode <version> config <hash>: node <id> on <kind>" comes first:
// `sensornode flash` checks it to prove the new firmware runs; the rest helps a human.
configSummary(config).forEach(function (line) {
  console.log(line);
});
const system = espruinoSystem(config.board);
const wifi = config.wifi;
const node = createNode({
  config: config,
  plan: plan,
  discoveryCount: discoveryCount,
  discoveryMessage: discoveryMessage,
  drivers: drivers,
  platform: createEspruinoPlatform(config),
  transport: espruinoTransport,
  system: system,
  network: wifi ? espruinoWifi(wifi.ssid, wifi.password, config.sntp) : undefined,
  firmwareVersion: firmwareVersion,
  configHash: configHash,
});
// Clean shutdown (reset(), load(), reboot): retained `offline` before DISCONNECT.
system.onKill(node.stop);
node.start();
