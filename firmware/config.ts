// The board's config, validated and baked in by the build (tools/build.ts `define`).
// Secrets are resolved values here: never log this object whole, use configSummary().
import type { BoardConfig } from "../boards/schema";

declare const SENSORNODE_CONFIG: BoardConfig;
declare const SENSORNODE_VERSION: string;
declare const SENSORNODE_CONFIG_HASH: string;

export const config: BoardConfig = SENSORNODE_CONFIG;
export const firmwareVersion: string = SENSORNODE_VERSION;
export const configHash: string = SENSORNODE_CONFIG_HASH;

/** One line per concern, with no secret in it: safe for the console and for diag. */
export function configSummary(board: BoardConfig): string[] {
  const lines: string[] = [];
  const mqtt = board.mqtt;
  lines.push("sensornode " + firmwareVersion + " config " + configHash + ": node " + board.node + " on " + board.board);
  if (board.wifi) lines.push("wifi: ssid " + board.wifi.ssid + (board.wifi.password ? ", password set" : ", open network"));
  lines.push(
    "mqtt: " + (mqtt.tls ? "mqtts://" : "mqtt://") + mqtt.host + ":" + mqtt.port +
      ", keepalive " + mqtt.keepAlive + " s" + (mqtt.username ? ", user set" : "") + (mqtt.password ? ", password set" : "") +
      ", topics " + board.topicPrefix + "/" + board.node + "/...",
  );
  (board.i2c || []).forEach(function (bus) {
    lines.push("i2c " + bus.name + ": scl " + bus.scl + ", sda " + bus.sda + ", " + bus.bitrate + " Hz");
  });
  (board.onewire || []).forEach(function (bus) {
    lines.push("onewire " + bus.name + ": pin " + bus.pin);
  });
  (board.sensors || []).forEach(function (sensor) {
    let where: string;
    if (sensor.type === "analog") where = "pin " + sensor.pin;
    else if (sensor.type === "ds18b20") where = "bus " + sensor.bus;
    else where = "bus " + sensor.bus + " at 0x" + (sensor.address || 0).toString(16);
    lines.push("sensor " + sensor.name + ": " + sensor.type + ", " + where + ", every " + sensor.interval + " ms");
  });
  (board.inputs || []).forEach(function (input) {
    lines.push("input " + input.name + ": pin " + input.pin + (input.kind ? " (" + input.kind + ")" : ""));
  });
  (board.outputs || []).forEach(function (output) {
    lines.push("output " + output.name + ": pin " + output.pin + (output.initial ? ", on at boot" : ", off at boot"));
  });
  return lines;
}
