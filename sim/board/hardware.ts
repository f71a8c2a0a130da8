// Wires a board file's hardware onto the HAL engineer's simulated devices (sim/devices/):
// each I2C bus of the config becomes a SimI2C (hardware flavour on ESP32, software on
// ESP8266 / LINUX, as hal/espruino/i2c.ts opens them), each 1-Wire bus a SimOneWire, each
// sensor a device model on its bus at its address, pins and the ADC a SimGpio. The result
// is a BoardHardware for VirtualBoard, plus handles to every model so a test or a scenario
// can set physical values and inject faults.
import type { Clock } from "../../hal/clock";
import type { BoardConfig, SensorConfig } from "../../boards/schema";
import { defaultAddress } from "../../tools/config";
import { SimAht20 } from "../devices/aht20";
import { SimBh1750 } from "../devices/bh1750";
import { SimBme280 } from "../devices/bme280";
import { SimDs18b20 } from "../devices/ds18b20";
import { SimGpio } from "../devices/gpio";
import { SimI2C } from "../devices/i2c-bus";
import { SimOneWire } from "../devices/onewire-bus";
import { SimSht3x } from "../devices/sht3x";
import { PROFILES } from "./profile";
import type { BoardHardware } from "./runtime";

export interface WiredHardware extends BoardHardware {
  gpio: SimGpio;
  /** Buses by their names in the board file. */
  i2cBuses: Record<string, SimI2C>;
  oneWireBuses: Record<string, SimOneWire>;
  /** Device models by sensor name (analog sensors are pins: use gpio.setVoltage). */
  devices: Record<string, SimBme280 | SimSht3x | SimAht20 | SimBh1750 | SimDs18b20>;
}

/** Builds the simulated hardware a board file describes. `seed` makes the parts' trimming reproducible. */
export function wireHardware(config: BoardConfig, clock: Clock, seed = 1): WiredHardware {
  const profile = PROFILES[config.board];
  const gpio = new SimGpio({ clock, adc: profile.adc });
  const pinName = (name: string) => gpio.pin(name).name;
  const i2cBuses: Record<string, SimI2C> = {};
  const byPins: Record<string, SimI2C> = {};
  (config.i2c ?? []).forEach((bus, index) => {
    const mode = config.board === "ESP32" && index < profile.hardwareI2C ? "hardware" : "software";
    const sim = new SimI2C({ mode, clock });
    i2cBuses[bus.name] = sim;
    byPins[pinName(bus.scl) + "/" + pinName(bus.sda)] = sim;
  });
  const oneWireBuses: Record<string, SimOneWire> = {};
  const oneWireByPin: Record<string, SimOneWire> = {};
  (config.onewire ?? []).forEach((bus) => {
    const sim = new SimOneWire({ clock });
    oneWireBuses[bus.name] = sim;
    oneWireByPin[pinName(bus.pin)] = sim;
  });
  const devices: WiredHardware["devices"] = {};
  (config.sensors ?? []).forEach((sensor: SensorConfig, index) => {
    const partSeed = seed * 1000 + index;
    if (sensor.type === "analog") return;
    if (sensor.type === "ds18b20") {
      const bus = oneWireBuses[sensor.bus];
      if (bus) devices[sensor.name] = bus.attach(new SimDs18b20({ clock, seed: partSeed }));
      return;
    }
    const bus = i2cBuses[sensor.bus];
    if (!bus) return;
    const address = sensor.address ?? defaultAddress(sensor.type);
    if (bus.devices.some((d) => d.address === address)) return;
    if (sensor.type === "bme280" || sensor.type === "bmp280") devices[sensor.name] = bus.attach(new SimBme280({ clock, address, chip: sensor.type, seed: partSeed }));
    else if (sensor.type === "sht3x") devices[sensor.name] = bus.attach(new SimSht3x({ clock, address, seed: partSeed }));
    else if (sensor.type === "aht20") devices[sensor.name] = bus.attach(new SimAht20({ clock }));
    else if (sensor.type === "bh1750") devices[sensor.name] = bus.attach(new SimBh1750({ clock, address }));
  });
  return {
    gpio,
    i2cBuses,
    oneWireBuses,
    devices,
    i2c(scl: string, sda: string, mode: "hardware" | "software") {
      // pins with nothing wired to them: an empty bus of the flavour the firmware chose
      return byPins[scl + "/" + sda] ?? new SimI2C({ mode, clock });
    },
    oneWire(pin: string) {
      return oneWireByPin[pin];
    },
  };
}
