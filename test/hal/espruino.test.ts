// The Espruino adapters (hal/espruino/) against simulated Espruino globals: I2C error
// mapping for both I2C flavours, pin names, the guarded clock, Storage, OneWire, Platform.
import { afterEach, describe, expect, it, vi } from "vitest";
import { readRegister, readRegisters, writeRegister } from "../../hal/i2c";
import { espruinoClock } from "../../hal/espruino/clock";
import { openI2C, wrapI2C } from "../../hal/espruino/i2c";
import { resolvePin } from "../../hal/espruino/pins";
import { createEspruinoPlatform } from "../../hal/espruino/platform";
import { wrapStorage } from "../../hal/espruino/storage";
import { Bme280 } from "../../hal/drivers/bme280";
import { Ds18b20, findDs18b20 } from "../../hal/drivers/ds18b20";
import { SimBme280 } from "../../sim/devices/bme280";
import { SimDs18b20 } from "../../sim/devices/ds18b20";
import { SimGpio } from "../../sim/devices/gpio";
import { SimI2C } from "../../sim/devices/i2c-bus";
import { SimOneWire } from "../../sim/devices/onewire-bus";
import { VirtualClock } from "../../sim/virtual-clock";
import { codeOf, cycle } from "./harness";

afterEach(() => {
  vi.unstubAllGlobals();
});

function installPins(clock: VirtualClock): SimGpio {
  const gpio = new SimGpio({ clock });
  for (const [name, value] of Object.entries(gpio.globals())) vi.stubGlobal(name, value);
  return gpio;
}

describe("I2C adapter", () => {
  for (const mode of ["hardware", "software"] as const) {
    it(`${mode}: a missing device is nack, a stuck bus is bus, whatever Espruino says`, () => {
      const clock = new VirtualClock();
      const sim = new SimI2C({ mode, clock });
      sim.setup({ scl: 1, sda: 2 });
      const bus = wrapI2C(sim, mode === "software");
      expect(codeOf(() => bus.read(0x50, 2))).toBe("nack");
      if (mode === "hardware") expect(codeOf(() => bus.write(0x50, [1]))).toBe("nack");
      else bus.write(0x50, [1]); // software I2C cannot notice a NACK on a write
      sim.inject("stuck");
      expect(codeOf(() => bus.read(0x50, 2))).toBe("bus");
      expect(codeOf(() => bus.write(0x50, [1]))).toBe("bus");
    });
  }

  it("maps Espruino's messages: ACK failures (any case of 'ACK') are nack, the rest bus, 'stack' is not ACK", () => {
    const messages: [string, string][] = [
      ["jshI2CWrite: slave doesn't ACK the transfer", "nack"],
      ["I2C got NACK", "nack"],
      ["I2C device not responding", "nack"],
      ["jshI2CRead:, Operation timeout because the bus is busy", "bus"],
      ["I2C Error: Timeout (start)", "bus"],
      ["Not enough free stack to receive this amount of data", "bus"],
    ];
    for (const [message, code] of messages) {
      const failing = { setup() {}, writeTo() { throw new Error(message); }, readFrom(): Uint8Array { throw new Error(message); } };
      expect(codeOf(() => wrapI2C(failing, false).read(0x40, 1))).toBe(code);
      expect(codeOf(() => wrapI2C(failing, false).write(0x40, [0]))).toBe(code);
    }
  });

  it("register helpers over the BME280 model: the pointer persists and auto-increments", () => {
    const clock = new VirtualClock();
    const sim = new SimI2C({ clock });
    sim.setup({});
    sim.attach(new SimBme280({ clock, seed: 2 }));
    const bus = wrapI2C(sim, false);
    expect(readRegister(bus, 0x76, 0xd0)).toBe(0x60);
    const calib = readRegisters(bus, 0x76, 0x88, 4);
    // a plain read continues where the pointer stopped (0x8C)
    const next = bus.read(0x76, 2);
    expect(Array.from(readRegisters(bus, 0x76, 0x88, 6))).toEqual([...calib, ...next]);
    writeRegister(bus, 0x76, 0xf5, 0x10);
    expect(readRegister(bus, 0x76, 0xf5)).toBe(0x10);
  });

  it("openI2C: ESP32 uses hardware I2C1/I2C2 with the board's pins and bitrate, ESP8266 a software new I2C()", () => {
    const clock = new VirtualClock();
    const gpio = installPins(clock);
    const hardware1 = new SimI2C({ clock });
    const hardware2 = new SimI2C({ clock });
    const software: SimI2C[] = [];
    vi.stubGlobal("I2C1", hardware1);
    vi.stubGlobal("I2C2", hardware2);
    vi.stubGlobal("I2C", function () {
      const bus = new SimI2C({ mode: "software", clock });
      software.push(bus);
      return bus;
    });
    hardware1.attach(new SimBme280({ clock }));
    openI2C("ESP32", 0, { scl: "D22", sda: "D21", bitrate: 400000 });
    expect(hardware1.options).toEqual({ scl: gpio.pin("D22"), sda: gpio.pin("D21"), bitrate: 400000 });
    openI2C("ESP32", 1, { scl: "D16", sda: "D17" });
    expect(hardware2.options!.bitrate).toBe(100000);
    openI2C("ESP32", 2, { scl: "D4", sda: "D5" }); // a third bus: software
    const esp8266 = openI2C("ESP8266", 0, { scl: "NodeMCU.D1", sda: "NodeMCU.D2" });
    expect(software.length).toBe(2);
    expect(software[1]!.options!.scl).toBe(gpio.pin("D5")); // NodeMCU D1 = GPIO5
    expect(codeOf(() => esp8266.read(0x76, 1))).toBe("nack"); // all ones on a software bus
  });
});

describe("pins", () => {
  it("resolves D-names and NodeMCU aliases to the same Pin objects Espruino has", () => {
    const gpio = installPins(new VirtualClock());
    expect(resolvePin("D4")).toBe(gpio.pin("D4"));
    expect(resolvePin("NodeMCU.D2")).toBe(gpio.pin("D4"));
    expect(resolvePin("A0")).toBe(gpio.pin("A0"));
    expect(codeOf(() => resolvePin("D99"))).toBe("invalid-options");
    expect(codeOf(() => resolvePin("Foo.D1"))).toBe("invalid-options");
  });
});

describe("clock adapter", () => {
  it("milliseconds from getTime(), and clearTimeout(undefined) never reaches Espruino (which throws)", () => {
    const cleared: number[] = [];
    vi.stubGlobal("getTime", () => 12.5);
    vi.stubGlobal("setTimeout", (_callback: () => void, ms: number) => 100 + ms);
    vi.stubGlobal("clearTimeout", (id: unknown) => {
      if (id === undefined) throw new Error("clearTimeout(undefined) not allowed. Use clearTimeout() instead");
      cleared.push(id as number);
    });
    expect(espruinoClock.now()).toBe(12500);
    const handle = espruinoClock.setTimeout(() => undefined, 7);
    espruinoClock.clearTimeout(undefined);
    espruinoClock.clearTimeout(handle);
    expect(cleared).toEqual([107]);
  });
});

describe("storage adapter", () => {
  it("read/write/erase/list over Espruino's Storage module; a full flash is a coded error", () => {
    const files: Record<string, string> = {};
    let full = false;
    const flash = {
      read: (name: string) => files[name],
      write: (name: string, data: string) => {
        if (full) return false;
        files[name] = data;
        return true;
      },
      erase: (name: string) => void delete files[name],
      list: () => Object.keys(files),
    };
    const storage = wrapStorage(flash);
    expect(storage.read("config")).toBeUndefined();
    storage.write("config", "{}");
    expect(storage.read("config")).toBe("{}");
    expect(storage.list()).toEqual(["config"]);
    storage.erase("config");
    expect(storage.list()).toEqual([]);
    full = true;
    expect(codeOf(() => storage.write("x", "y"))).toBe("bus");
  });
});

describe("OneWire adapter and Platform", () => {
  it("builds buses by board name once, shares them, and runs drivers through them", () => {
    const clock = new VirtualClock(10);
    const gpio = installPins(clock);
    const i2c1 = new SimI2C({ clock });
    const bme = i2c1.attach(new SimBme280({ clock, seed: 4 }));
    vi.stubGlobal("I2C1", i2c1);
    const wire = new SimOneWire({ clock });
    const probes = [1, 2].map((seed) => wire.attach(new SimDs18b20({ clock, seed })));
    const pins: unknown[] = [];
    vi.stubGlobal("OneWire", function (pin: unknown) {
      pins.push(pin);
      return wire;
    });
    vi.stubGlobal("getTime", () => clock.now() / 1000);
    const platform = createEspruinoPlatform({
      board: "ESP32",
      i2c: [{ name: "i2c0", scl: "D22", sda: "D21" }],
      onewire: [{ name: "soil", pin: "D4" }],
    });
    expect(platform.i2c("i2c0")).toBe(platform.i2c("i2c0"));
    expect(platform.oneWire("soil")).toBe(platform.oneWire("soil"));
    expect(pins).toEqual([gpio.pin("D4")]);
    expect(codeOf(() => platform.i2c("i2c9"))).toBe("invalid-options");
    expect(codeOf(() => platform.oneWire("nope"))).toBe("invalid-options");

    bme.setPhysical({ temperature: 31.5 });
    expect(cycle(clock, new Bme280({ bus: platform.i2c("i2c0") })).temperature).toBeCloseTo(31.5, 1);

    const roms = findDs18b20(platform.oneWire("soil"));
    expect(roms.sort()).toEqual(probes.map((p) => p.romCode).sort());
    probes[1]!.setPhysical({ temperature: -3.5 });
    expect(cycle(clock, new Ds18b20({ bus: platform.oneWire("soil"), clock: platform.clock, rom: probes[1]!.romCode })).temperature).toBe(-3.5);

    platform.pin("D5").write(true);
    expect(gpio.pin("D5").level()).toBe(true);
    gpio.setVoltage("D34", 1.65);
    expect(platform.analog("D34").read()).toBeCloseTo(0.5, 3);
  });
});
