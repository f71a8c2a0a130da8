// The board file's hardware, hung on the board: firmware-side Espruino calls (I2C1,
// new I2C(), OneWire, setWatch, analogRead) reach the simulated devices of sim/devices.
import { describe, expect, it } from "vitest";
import type { BoardConfig } from "../../../boards/schema";
import { boardFromConfig } from "../../../sim/board/from-config";
import { SimClock } from "../../../sim/board/scheduler";
import { lines } from "./helpers";

const greenhouse = {
  node: "greenhouse",
  board: "ESP32",
  mqtt: { host: "127.0.0.1" },
  i2c: [{ name: "i2c0", scl: "D22", sda: "D21" }],
  onewire: [{ name: "soil", pin: "D4" }],
  sensors: [
    { name: "air", type: "bme280", bus: "i2c0", address: 0x76 },
    { name: "soil-temp", type: "ds18b20", bus: "soil" },
    { name: "moisture", type: "analog", pin: "D34" },
  ],
} as unknown as BoardConfig;

const door = {
  node: "door",
  board: "ESP8266",
  mqtt: { host: "127.0.0.1" },
  i2c: [{ name: "i2c0", scl: "NodeMCU.D1", sda: "NodeMCU.D2" }],
  sensors: [{ name: "climate", type: "sht3x", bus: "i2c0" }],
  inputs: [{ name: "door", pin: "NodeMCU.D5" }],
} as unknown as BoardConfig;

function run(config: BoardConfig, code: string) {
  const clock = new SimClock();
  const { board, hardware } = boardFromConfig(config, code, { clock, seed: 3 });
  board.start();
  return { board, hardware, clock };
}

describe("the board file's hardware on the virtual board", () => {
  it("ESP32 hardware I2C1 reaches the BME280 (chip id 0x60); an empty address throws the ESP32 NACK error", () => {
    const { board } = run(
      greenhouse,
      `
      I2C1.setup({ scl: D22, sda: D21, bitrate: 400000 });
      I2C1.writeTo(0x76, 0xd0);
      var id = I2C1.readFrom(0x76, 1);
      print("id", id[0].toString(16), id instanceof Uint8Array);
      try { I2C1.readFrom(0x40, 1); } catch (e) { print(e.message); }
    `,
    );
    expect(lines(board)).toEqual(["id 60 true", "jshI2CRead: slave doesn't ACK the transfer"]);
  });

  it("ESP8266 software I2C on NodeMCU pins reaches the SHT3x; nobody at an address reads as 0xFF", () => {
    const { board, hardware } = run(
      door,
      `
      var i2c = new I2C();
      i2c.setup({ scl: NodeMCU.D1, sda: NodeMCU.D2 });
      i2c.writeTo(0x44, [0xf3, 0x2d]); // read status register
      var status = i2c.readFrom(0x44, 3);
      var nobody = i2c.readFrom(0x50, 2);
      print(status.length, nobody[0], nobody[1], typeof I2C1);
    `,
    );
    expect(lines(board)).toEqual(["3 255 255 undefined"]);
    expect(hardware.i2cBuses.i2c0!.traffic(0x44).length).toBeGreaterThanOrEqual(2);
  });

  it("OneWire on the configured pin finds the DS18B20", () => {
    const { board } = run(greenhouse, `var ow = new OneWire(D4); var roms = ow.search(); print(roms.length, roms[0].substr(0, 2), ow.reset());`);
    expect(lines(board)).toEqual(["1 28 true"]);
  });

  it("analogRead reads the ADC model (ESP32: 0..1 of 3.3 V)", () => {
    const { board, hardware } = run(greenhouse, `setTimeout(function () { print(analogRead(D34).toFixed(2)); }, 10);`);
    hardware.gpio.setVoltage("D34", 1.65);
    (board.clock as SimClock).advance(20);
    expect(lines(board)).toEqual(["0.50"]);
  });

  it("setWatch gets {state, time, lastTime} in seconds from a simulated contact, debounced", () => {
    const { board, hardware, clock } = run(
      door,
      `
      pinMode(NodeMCU.D5, "input_pullup");
      setWatch(function (e) { print("edge", e.state, e.time, e.lastTime); }, NodeMCU.D5, { repeat: true, edge: "both", debounce: 50 });
    `,
    );
    hardware.gpio.bounce("NodeMCU.D5", { delay: 1000, count: 5, interval: 5, level: false });
    hardware.gpio.press("NodeMCU.D5", { delay: 3000, duration: 10, level: true });
    clock.advance(5000);
    // one debounced edge per settled change (the bounces are swallowed), times in seconds,
    // lastTime = the previous event's time (timing details are the GPIO model's: sim/devices/gpio.ts)
    const edges = lines(board).map((l) => l.split(" "));
    expect(edges.map((e) => e[1])).toEqual(["false", "true"]);
    expect(Number(edges[0]![2])).toBeGreaterThanOrEqual(1.02);
    expect(Number(edges[0]![2])).toBeLessThan(1.1);
    expect(edges[0]![3]).toBe("undefined");
    expect(Number(edges[1]![2])).toBeGreaterThanOrEqual(3);
    expect(edges[1]![3]).toBe(edges[0]![2]);
  });

  it("a watch callback that throws is reported, and watches are gone after a deep sleep", () => {
    const { board, hardware, clock } = run(
      door,
      `
      pinMode(NodeMCU.D5, "input_pullup");
      setWatch(function (e) { throw new Error("in watch"); }, NodeMCU.D5, { repeat: true, edge: "falling" });
      setTimeout(function () { ESP8266.deepSleep(1e9); }, 100);
    `,
    );
    hardware.gpio.drive("NodeMCU.D5", false);
    clock.advance(10);
    expect(board.events.filter((e) => e.type === "uncaught").map((e) => e.message)).toEqual(["Error: in watch"]);
    clock.advance(200);
    expect(hardware.gpio.watchCount).toBe(0);
  });
});
