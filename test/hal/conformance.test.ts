// The generic conformance test (design.md §5, issue 4): for every driver with a simulated
// device, sweep the device's physical range, trigger(), advance the virtual clock by what
// trigger() returned, sample(), and compare with what was set, within the DEVICE's stated
// tolerance; both I2C addresses where the chip has two; several calibration seeds; both
// Espruino I2C flavours (ESP32 hardware, ESP8266 software) through the real adapter.
// The worst error per driver and quantity is printed as a table at the end.
import { afterAll, describe, expect, it } from "vitest";
import { Aht20 } from "../../hal/drivers/aht20";
import { Bh1750 } from "../../hal/drivers/bh1750";
import { Bme280 } from "../../hal/drivers/bme280";
import { create as createBmp280 } from "../../hal/drivers/bmp280";
import { Ds18b20, findDs18b20 } from "../../hal/drivers/ds18b20";
import { Sht3x } from "../../hal/drivers/sht3x";
import { SimAht20 } from "../../sim/devices/aht20";
import { SimBh1750 } from "../../sim/devices/bh1750";
import { SimBme280, type Bme280Calibration } from "../../sim/devices/bme280";
import { SimDs18b20 } from "../../sim/devices/ds18b20";
import { SimSht3x } from "../../sim/devices/sht3x";
import type { I2CMode } from "../../sim/devices/i2c-bus";
import { cycle, i2cRig, oneWireRig, sweep } from "./harness";

interface Row {
  driver: string;
  quantity: string;
  range: string;
  points: number;
  worst: number;
  tolerance: number;
}
const rows: Row[] = [];

function record(driver: string, quantity: string, range: [number, number], unit: string, errors: number[], tolerance: number): void {
  const worst = Math.max(...errors);
  const existing = rows.find((r) => r.driver === driver && r.quantity === quantity);
  if (existing) {
    existing.points += errors.length;
    existing.worst = Math.max(existing.worst, worst);
  } else rows.push({ driver, quantity, range: `${range[0]} .. ${range[1]} ${unit}`, points: errors.length, worst, tolerance });
  expect(worst, `${driver} ${quantity}: worst error ${worst} > tolerance ${tolerance}`).toBeLessThanOrEqual(tolerance);
}

afterAll(() => {
  const lines = ["", "driver     quantity      physical range              points  worst error   tolerance"];
  rows.forEach((r) => {
    lines.push(`${r.driver.padEnd(10)} ${r.quantity.padEnd(13)} ${r.range.padEnd(27)} ${String(r.points).padStart(6)}  ${r.worst.toPrecision(3).padStart(11)}  ${r.tolerance.toPrecision(3).padStart(10)}`);
  });
  console.log(lines.join("\n"));
});

const MODES: I2CMode[] = ["hardware", "software"];

describe("BME280 / BMP280", () => {
  // Seeds for realistic trimming; the last set forces negative H4/H5/H6 (signed 12/8-bit
  // fields that published drivers decode wrongly) and a negative T3.
  const calibrations: { name: string; seed: number; calibration?: Partial<Bme280Calibration> }[] = [
    { name: "seed 1", seed: 1 },
    { name: "seed 7", seed: 7 },
    { name: "seed 1234", seed: 1234 },
    { name: "seed 99", seed: 99 },
    { name: "negative H4/H5/H6", seed: 5, calibration: { H4: -1, H5: -17, H6: -90, T3: -1000 } },
    { name: "0xE5 = 0xFF (both nibbles set)", seed: 6, calibration: { H4: 0x14f, H5: 0x03f, H6: 127 } },
  ];
  for (const mode of MODES) {
    for (const address of [0x76, 0x77]) {
      for (const cal of calibrations) {
        it(`BME280 at 0x${address.toString(16)}, ${cal.name}, ${mode} I2C: T x P x RH sweep`, () => {
          const rig = i2cRig(mode);
          const device = rig.sim.attach(new SimBme280({ clock: rig.clock, address, seed: cal.seed, calibration: cal.calibration }));
          const driver = new Bme280({ bus: rig.bus, address });
          const errors = { temperature: [] as number[], pressure: [] as number[], humidity: [] as number[] };
          for (const temperature of sweep(-40, 85, 14)) {
            const [hMin, hMax] = device.reachableHumidity(temperature);
            for (const pressure of sweep(30000, 110000, 7)) {
              for (const humidity of sweep(hMin, hMax, 6)) {
                device.setPhysical({ temperature, pressure, humidity });
                const s = cycle(rig.clock, driver);
                errors.temperature.push(Math.abs(s.temperature - temperature));
                errors.pressure.push(Math.abs(s.pressure! - pressure));
                errors.humidity.push(Math.abs(s.humidity! - humidity));
              }
            }
          }
          record("bme280", "temperature", [-40, 85], "degC", errors.temperature, device.tolerance.temperature);
          record("bme280", "pressure", [30000, 110000], "Pa", errors.pressure, device.tolerance.pressure);
          record("bme280", "humidity", [0, 100], "%RH", errors.humidity, device.tolerance.humidity);
          expect(device.rejected).toEqual([]);
        });
      }
    }
    it(`BMP280 at 0x76 and 0x77, ${mode} I2C: T x P sweep, no humidity`, () => {
      for (const address of [0x76, 0x77]) {
        for (const seed of [3, 11]) {
          const rig = i2cRig(mode);
          const device = rig.sim.attach(new SimBme280({ clock: rig.clock, address, chip: "bmp280", seed }));
          const driver = createBmp280({ bus: rig.bus, address });
          const errors = { temperature: [] as number[], pressure: [] as number[] };
          for (const temperature of sweep(-40, 85, 14)) {
            for (const pressure of sweep(30000, 110000, 9)) {
              device.setPhysical({ temperature, pressure });
              const s = cycle(rig.clock, driver);
              expect(s.humidity).toBeUndefined();
              errors.temperature.push(Math.abs(s.temperature - temperature));
              errors.pressure.push(Math.abs(s.pressure! - pressure));
            }
          }
          record("bmp280", "temperature", [-40, 85], "degC", errors.temperature, device.tolerance.temperature);
          record("bmp280", "pressure", [30000, 110000], "Pa", errors.pressure, device.tolerance.pressure);
          // a driver writing ctrl_hum to a BMP280 would show up here
          expect(device.rejected).toEqual([]);
        }
      }
    });
  }
});

describe("SHT3x", () => {
  for (const mode of MODES) {
    for (const address of [0x44, 0x45]) {
      for (const repeatability of ["high", "medium", "low"] as const) {
        it(`at 0x${address.toString(16)}, ${repeatability} repeatability, ${mode} I2C: T x RH sweep`, () => {
          const rig = i2cRig(mode);
          const device = rig.sim.attach(new SimSht3x({ clock: rig.clock, address }));
          const driver = new Sht3x({ bus: rig.bus, address, repeatability });
          const errors = { temperature: [] as number[], humidity: [] as number[] };
          for (const temperature of sweep(-40, 125, 34)) {
            for (const humidity of sweep(0, 100, 21)) {
              device.setPhysical({ temperature, humidity });
              const s = cycle(rig.clock, driver);
              errors.temperature.push(Math.abs(s.temperature - temperature));
              errors.humidity.push(Math.abs(s.humidity! - humidity));
            }
          }
          record("sht3x", "temperature", [-40, 125], "degC", errors.temperature, device.tolerance.temperature);
          record("sht3x", "humidity", [0, 100], "%RH", errors.humidity, device.tolerance.humidity);
          expect(device.rejected).toEqual([]);
        });
      }
    }
  }
});

describe("AHT20", () => {
  for (const mode of MODES) {
    it(`at 0x38, ${mode} I2C: T x RH sweep`, () => {
      const rig = i2cRig(mode);
      const device = rig.sim.attach(new SimAht20({ clock: rig.clock }));
      const driver = new Aht20({ bus: rig.bus });
      const errors = { temperature: [] as number[], humidity: [] as number[] };
      for (const temperature of sweep(-40, 85, 26)) {
        for (const humidity of sweep(0, 100, 21)) {
          device.setPhysical({ temperature, humidity });
          const s = cycle(rig.clock, driver);
          errors.temperature.push(Math.abs(s.temperature - temperature));
          errors.humidity.push(Math.abs(s.humidity! - humidity));
        }
      }
      record("aht20", "temperature", [-40, 85], "degC", errors.temperature, device.tolerance.temperature);
      record("aht20", "humidity", [0, 100], "%RH", errors.humidity, device.tolerance.humidity);
      expect(device.rejected).toEqual([]);
    });
  }
});

describe("BH1750", () => {
  for (const mode of MODES) {
    for (const address of [0x23, 0x5c]) {
      it(`at 0x${address.toString(16)}, H-resolution, ${mode} I2C: illuminance sweep`, () => {
        const rig = i2cRig(mode);
        const device = rig.sim.attach(new SimBh1750({ clock: rig.clock, address }));
        const driver = new Bh1750({ bus: rig.bus, clock: rig.clock, address });
        const errors: number[] = [];
        // the software bus cannot tell a saturated 0xFFFF from an absent device: stop below
        const top = mode === "software" ? 54611 : 54612;
        const points = sweep(0, top, 200).concat([0.4, 0.9, 1, 1.7, 12.5, 100, 999.9]);
        for (const illuminance of points) {
          device.setPhysical({ illuminance });
          errors.push(Math.abs(cycle(rig.clock, driver).illuminance - illuminance));
        }
        record("bh1750", "illuminance", [0, 54612], "lx", errors, device.tolerance.illuminance);
        expect(device.rejected).toEqual([]);
      });
    }
  }
  it("other modes and sensitivities: resolution scales as the datasheet says (p.5, p.11)", () => {
    const cases: { mode: "high" | "high2" | "low"; sensitivity: number; top: number; tolerance: number }[] = [
      { mode: "high2", sensitivity: 69, top: 27306, tolerance: 0.25 }, // half-lux counts
      { mode: "low", sensitivity: 69, top: 54000, tolerance: 2.5 }, // 4 lx steps
      { mode: "high", sensitivity: 254, top: 14800, tolerance: 0.5 * (69 / 254) }, // more counts per lx
      { mode: "high", sensitivity: 31, top: 54612, tolerance: 0.5 * (69 / 31) }, // fewer
    ];
    for (const c of cases) {
      const rig = i2cRig();
      const device = rig.sim.attach(new SimBh1750({ clock: rig.clock }));
      const driver = new Bh1750({ bus: rig.bus, clock: rig.clock, mode: c.mode, sensitivity: c.sensitivity });
      const errors: number[] = [];
      for (const illuminance of sweep(0, c.top, 120)) {
        device.setPhysical({ illuminance });
        errors.push(Math.abs(cycle(rig.clock, driver).illuminance - illuminance));
      }
      record(`bh1750/${c.mode}/${c.sensitivity}`, "illuminance", [0, c.top], "lx", errors, c.tolerance);
      expect(device.rejected).toEqual([]);
    }
  });
});

describe("DS18B20", () => {
  for (const resolution of [9, 10, 11, 12]) {
    it(`${resolution}-bit, three sensors found by search on one bus: temperature sweep`, () => {
      const rig = oneWireRig();
      const devices = [11, 22, 33].map((seed) => rig.sim.attach(new SimDs18b20({ clock: rig.clock, seed })));
      const roms = findDs18b20(rig.bus);
      expect(roms.sort()).toEqual(devices.map((d) => d.romCode).sort());
      const drivers = devices.map((d) => new Ds18b20({ bus: rig.bus, clock: rig.clock, rom: d.romCode, resolution }));
      const errors: number[] = [];
      // -55 .. 125 in 0.7-degree steps (never exactly +85, the power-on value: see faults test)
      for (let k = 0; k <= 257; k++) {
        const t = -55 + k * 0.7;
        devices.forEach((d, i) => d.setPhysical({ temperature: t + i * 0.01 }));
        drivers.forEach((driver, i) => {
          if (Math.abs(t + i * 0.01 - 85) < 0.25) return; // would convert to exactly +85.0
          errors.push(Math.abs(cycle(rig.clock, driver).temperature - (t + i * 0.01)));
        });
      }
      record(`ds18b20/${resolution}bit`, "temperature", [-55, 125], "degC", errors, devices[0]!.tolerance.temperature);
      devices.forEach((d) => expect(d.rejected).toEqual([]));
    });
  }
  it("parasite power: conversions succeed because the driver keeps the line driven", () => {
    const rig = oneWireRig();
    const device = rig.sim.attach(new SimDs18b20({ clock: rig.clock, seed: 5, parasite: true }));
    const driver = new Ds18b20({ bus: rig.bus, clock: rig.clock, parasite: true });
    const errors: number[] = [];
    for (let t = -55; t <= 125; t += 3.1) {
      device.setPhysical({ temperature: t });
      errors.push(Math.abs(cycle(rig.clock, driver).temperature - t));
    }
    record("ds18b20/parasite", "temperature", [-55, 125], "degC", errors, device.tolerance.temperature);
  });
});
