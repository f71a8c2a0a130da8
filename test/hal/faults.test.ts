// Fault tests (issue 4): every fault injected on the simulated bus gives the right coded
// error, the driver recovers when the fault ends, a read before the conversion ends is
// `not-ready` and never the previous value, and wrong chips / invalid options fail before
// any write (the bus log and the device's own log prove it). Both Espruino I2C flavours.
import { describe, expect, it } from "vitest";
import { errorCode } from "../../hal/errors";
import type { Sensor } from "../../hal/sensor";
import { Aht20 } from "../../hal/drivers/aht20";
import { Bh1750 } from "../../hal/drivers/bh1750";
import { Bme280 } from "../../hal/drivers/bme280";
import { create as createBmp280 } from "../../hal/drivers/bmp280";
import { Ds18b20 } from "../../hal/drivers/ds18b20";
import { Sht3x } from "../../hal/drivers/sht3x";
import { SimAht20 } from "../../sim/devices/aht20";
import { SimBh1750 } from "../../sim/devices/bh1750";
import { SimBme280 } from "../../sim/devices/bme280";
import { SimDs18b20 } from "../../sim/devices/ds18b20";
import { SimSht3x } from "../../sim/devices/sht3x";
import type { I2CMode } from "../../sim/devices/i2c-bus";
import { codeOf, cycle, i2cRig, oneWireRig, type I2CRig } from "./harness";

type Reading = Record<string, number | undefined>;

interface Subject {
  name: string;
  address: number;
  /** Builds device + driver on the rig. */
  make(rig: I2CRig): { device: { setPhysical(v: Reading): void; rejected: string[] }; driver: Sensor<Reading> };
  /** Two clearly different physical states and the quantity compared. */
  a: Reading;
  b: Reading;
  key: string;
  tolerance: number;
  hasCrc: boolean;
  /**
   * What a stalled conversion looks like through the driver: not-ready where the part has a
   * busy signal; nack for the SHT3x, whose only busy signal is NACKing (§4.4), so after the
   * maximum measurement time it is indistinguishable from an absent sensor; 0 for the
   * BH1750, which has no busy signal at all (its data register was reset before measuring).
   */
  stale: "not-ready" | "nack" | "zero";
}

const SUBJECTS: Subject[] = [
  {
    name: "bme280", address: 0x77, key: "temperature", tolerance: 0.02, hasCrc: false, stale: "not-ready",
    a: { temperature: 21.5, pressure: 100000, humidity: 40 }, b: { temperature: -7.25, pressure: 95000, humidity: 75 },
    make: (rig) => {
      const device = rig.sim.attach(new SimBme280({ clock: rig.clock, address: 0x77, seed: 3 }));
      return { device, driver: new Bme280({ bus: rig.bus, address: 0x77 }) as unknown as Sensor<Reading> };
    },
  },
  {
    name: "sht3x", address: 0x45, key: "humidity", tolerance: 0.01, hasCrc: true, stale: "nack",
    a: { temperature: 22, humidity: 35 }, b: { temperature: 30, humidity: 80 },
    make: (rig) => {
      const device = rig.sim.attach(new SimSht3x({ clock: rig.clock, address: 0x45 }));
      return { device, driver: new Sht3x({ bus: rig.bus, address: 0x45, clock: rig.clock }) as unknown as Sensor<Reading> };
    },
  },
  {
    name: "aht20", address: 0x38, key: "temperature", tolerance: 0.01, hasCrc: true, stale: "not-ready",
    a: { temperature: 18, humidity: 45 }, b: { temperature: 26.5, humidity: 60 },
    make: (rig) => {
      const device = rig.sim.attach(new SimAht20({ clock: rig.clock }));
      return { device, driver: new Aht20({ bus: rig.bus }) as unknown as Sensor<Reading> };
    },
  },
  {
    name: "bh1750", address: 0x5c, key: "illuminance", tolerance: 0.5, hasCrc: false, stale: "zero",
    a: { illuminance: 320 }, b: { illuminance: 12000 },
    make: (rig) => {
      const device = rig.sim.attach(new SimBh1750({ clock: rig.clock, address: 0x5c }));
      return { device, driver: new Bh1750({ bus: rig.bus, clock: rig.clock, address: 0x5c }) as unknown as Sensor<Reading> };
    },
  },
];

/** A full cycle's outcome: the sample or the error code. */
function attempt(rig: I2CRig, driver: Sensor<Reading>): Reading | string {
  try {
    return cycle(rig.clock, driver);
  } catch (error) {
    return errorCode(error) ?? String(error);
  }
}

/** Cycles until a sample comes back (at most `tries`), skipping not-ready. */
function recovered(rig: I2CRig, driver: Sensor<Reading>, tries = 3): Reading {
  let last: Reading | string = "";
  for (let i = 0; i < tries; i++) {
    rig.clock.advance(50);
    last = attempt(rig, driver);
    if (typeof last === "object") return last;
  }
  throw new Error("did not recover: " + String(last));
}

for (const mode of ["hardware", "software"] as I2CMode[]) {
  describe(`${mode} I2C faults`, () => {
    for (const subject of SUBJECTS) {
      describe(subject.name, () => {
        function setUp() {
          const rig = i2cRig(mode);
          const made = subject.make(rig);
          made.device.setPhysical(subject.a);
          const first = cycle(rig.clock, made.driver);
          expect(first[subject.key]).toBeCloseTo(subject.a[subject.key]!, 1);
          return Object.assign(rig, made);
        }

        it("NACK from the device -> nack; recovers when it answers again", () => {
          const rig = setUp();
          rig.sim.inject("nack", subject.address);
          expect(attempt(rig, rig.driver)).toBe("nack");
          rig.sim.clear("nack", subject.address);
          rig.device.setPhysical(subject.b);
          expect(recovered(rig, rig.driver)[subject.key]).toBeCloseTo(subject.b[subject.key]!, 1);
        });

        it("stuck bus -> bus; recovers when released", () => {
          const rig = setUp();
          rig.sim.inject("stuck");
          expect(attempt(rig, rig.driver)).toBe("bus");
          rig.sim.clear("stuck");
          rig.device.setPhysical(subject.b);
          expect(recovered(rig, rig.driver)[subject.key]).toBeCloseTo(subject.b[subject.key]!, 1);
        });

        it("device gone -> nack; back (power-cycled) -> recovers", () => {
          const rig = setUp();
          rig.sim.inject("gone", subject.address);
          expect(attempt(rig, rig.driver)).toBe("nack");
          rig.sim.clear("gone", subject.address);
          rig.device.setPhysical(subject.b);
          expect(recovered(rig, rig.driver)[subject.key]).toBeCloseTo(subject.b[subject.key]!, 1);
          expect(rig.device.rejected).toEqual([]);
        });

        if (subject.hasCrc) {
          it("corrupted CRC -> crc; recovers", () => {
            const rig = setUp();
            rig.sim.inject("crc", subject.address);
            expect(attempt(rig, rig.driver)).toBe("crc");
            rig.sim.clear("crc", subject.address);
            rig.device.setPhysical(subject.b);
            expect(recovered(rig, rig.driver)[subject.key]).toBeCloseTo(subject.b[subject.key]!, 1);
          });
        }

        it(`stalled conversion (stale data) -> ${subject.stale === "zero" ? "0 (no busy flag)" : subject.stale}, never the previous value; recovers`, () => {
          const rig = setUp();
          rig.sim.inject("stale", subject.address);
          rig.device.setPhysical(subject.b);
          const outcome = attempt(rig, rig.driver);
          if (subject.stale === "zero") expect(outcome).toEqual({ [subject.key]: 0 });
          else expect(outcome).toBe(subject.stale);
          rig.sim.clear("stale", subject.address);
          expect(recovered(rig, rig.driver)[subject.key]).toBeCloseTo(subject.b[subject.key]!, 1);
        });

        it("sample() before the conversion ends -> not-ready, never the previous value", () => {
          const rig = setUp();
          rig.device.setPhysical(subject.b);
          const wait = rig.driver.trigger();
          expect(wait).toBeGreaterThan(0);
          expect(codeOf(() => rig.driver.sample())).toBe("not-ready");
          rig.clock.advance(wait / 2);
          expect(codeOf(() => rig.driver.sample())).toBe("not-ready");
          rig.clock.advance(wait / 2);
          expect(rig.driver.sample()[subject.key]).toBeCloseTo(subject.b[subject.key]!, 1);
          // one trigger, one sample: a second sample() is not-ready, not a repeat
          expect(codeOf(() => rig.driver.sample())).toBe("not-ready");
        });
      });
    }
  });
}

describe("wrong chip and invalid options fail before any write", () => {
  it("BME280 driver on a BMP280 (and the reverse, and a BME680 id): wrong-chip, only register-pointer writes", () => {
    const cases = [
      { chip: "bmp280" as const, chipId: undefined, driver: (rig: I2CRig) => new Bme280({ bus: rig.bus }) },
      { chip: "bme280" as const, chipId: undefined, driver: (rig: I2CRig) => createBmp280({ bus: rig.bus }) },
      { chip: "bme280" as const, chipId: 0x61, driver: (rig: I2CRig) => new Bme280({ bus: rig.bus }) },
    ];
    for (const c of cases) {
      for (const mode of ["hardware", "software"] as I2CMode[]) {
        const rig = i2cRig(mode);
        const device = rig.sim.attach(new SimBme280({ clock: rig.clock, chip: c.chip, chipId: c.chipId }));
        expect(codeOf(() => c.driver(rig))).toBe("wrong-chip");
        expect(device.writes).toEqual([]); // no register changed
        rig.sim.traffic().filter((e) => e.op === "write").forEach((e) => expect(e.bytes!.length).toBe(1));
      }
    }
  });

  it("DS18B20: a ROM of another family is wrong-chip before any traffic; a bus with only a DS18S20 is wrong-chip with no command sent", () => {
    const rig = oneWireRig();
    const other = rig.sim.attach(new SimDs18b20({ clock: rig.clock, seed: 9, family: 0x10 }));
    expect(codeOf(() => new Ds18b20({ bus: rig.bus, clock: rig.clock, rom: other.romCode }))).toBe("wrong-chip");
    expect(rig.sim.log).toEqual([]);
    expect(codeOf(() => new Ds18b20({ bus: rig.bus, clock: rig.clock }))).toBe("wrong-chip");
    expect(other.writes).toEqual([]);
    expect(rig.sim.log.filter((e) => e.op === "write")).toEqual([]);
  });

  const invalid: { name: string; build: (rig: I2CRig) => unknown }[] = [
    { name: "bme280 address 0x40", build: (rig) => new Bme280({ bus: rig.bus, address: 0x40 }) },
    { name: "bme280 oversampling 3", build: (rig) => new Bme280({ bus: rig.bus, oversampling: 3 }) },
    { name: "bme280 filter 5", build: (rig) => new Bme280({ bus: rig.bus, filter: 5 }) },
    { name: "bme280 chip bme680", build: (rig) => new Bme280({ bus: rig.bus, chip: "bme680" as never }) },
    { name: "bme280 no bus", build: () => new Bme280({} as never) },
    { name: "sht3x address 0x38", build: (rig) => new Sht3x({ bus: rig.bus, address: 0x38 }) },
    { name: "sht3x repeatability 'max'", build: (rig) => new Sht3x({ bus: rig.bus, repeatability: "max" as never }) },
    { name: "aht20 address 0x39", build: (rig) => new Aht20({ bus: rig.bus, address: 0x39 }) },
    { name: "bh1750 without clock", build: (rig) => new Bh1750({ bus: rig.bus } as never) },
    { name: "bh1750 sensitivity 300", build: (rig) => new Bh1750({ bus: rig.bus, clock: rig.clock, sensitivity: 300 }) },
    { name: "bh1750 sensitivity 70.5", build: (rig) => new Bh1750({ bus: rig.bus, clock: rig.clock, sensitivity: 70.5 }) },
    { name: "bh1750 mode 'ultra'", build: (rig) => new Bh1750({ bus: rig.bus, clock: rig.clock, mode: "ultra" as never }) },
  ];
  for (const c of invalid) {
    it(`${c.name}: invalid-options with no bus traffic at all`, () => {
      for (const mode of ["hardware", "software"] as I2CMode[]) {
        const rig = i2cRig(mode);
        rig.sim.attach(new SimBme280({ clock: rig.clock }));
        rig.sim.attach(new SimSht3x({ clock: rig.clock }));
        rig.sim.attach(new SimAht20({ clock: rig.clock }));
        rig.sim.attach(new SimBh1750({ clock: rig.clock }));
        expect(codeOf(() => c.build(rig))).toBe("invalid-options");
        expect(rig.sim.log).toEqual([]);
      }
    });
  }

  it("DS18B20 invalid options (resolution 13, bad ROM digits, bad ROM CRC, no clock): invalid-options, no traffic", () => {
    const rig = oneWireRig();
    const device = rig.sim.attach(new SimDs18b20({ clock: rig.clock, seed: 4 }));
    const badCrc = device.romCode.slice(0, 14) + ((parseInt(device.romCode.slice(14), 16) ^ 1) & 0xff).toString(16).padStart(2, "0");
    const cases = [
      { bus: rig.bus, clock: rig.clock, resolution: 13 },
      { bus: rig.bus, clock: rig.clock, rom: "28zz000000000000" },
      { bus: rig.bus, clock: rig.clock, rom: badCrc },
      { bus: rig.bus, rom: device.romCode },
    ];
    for (const options of cases) expect(codeOf(() => new Ds18b20(options as never))).toBe("invalid-options");
    expect(rig.sim.log).toEqual([]);
  });

  it("options objects are never mutated (frozen options work)", () => {
    const rig = i2cRig();
    rig.sim.attach(new SimBme280({ clock: rig.clock }));
    rig.sim.attach(new SimBh1750({ clock: rig.clock }));
    const bme = Object.freeze({ bus: rig.bus, oversampling: 2 });
    const bh = Object.freeze({ bus: rig.bus, clock: rig.clock, mode: "high2" as const });
    expect(cycle(rig.clock, new Bme280(bme)).temperature).toBeCloseTo(20, 1);
    expect(cycle(rig.clock, new Bh1750(bh)).illuminance).toBeCloseTo(100, 0);
    expect(bme).toEqual({ bus: rig.bus, oversampling: 2 });
  });
});

describe("DS18B20 faults on the 1-Wire bus", () => {
  function setUp(options: { parasite?: boolean; resolution?: number } = {}) {
    const rig = oneWireRig();
    const device = rig.sim.attach(new SimDs18b20({ clock: rig.clock, seed: 21, parasite: options.parasite }));
    const neighbour = rig.sim.attach(new SimDs18b20({ clock: rig.clock, seed: 22 }));
    const driver = new Ds18b20({ bus: rig.bus, clock: rig.clock, rom: device.romCode, parasite: options.parasite, resolution: options.resolution });
    device.setPhysical({ temperature: 19.5 });
    expect(cycle(rig.clock, driver).temperature).toBe(19.5);
    return { rig, device, neighbour, driver };
  }
  function attempt(t: ReturnType<typeof setUp>): number | string {
    try {
      return cycle(t.rig.clock, t.driver).temperature;
    } catch (error) {
      return errorCode(error) ?? String(error);
    }
  }
  function recovered(t: ReturnType<typeof setUp>): number | string {
    let last: number | string = "";
    for (let i = 0; i < 3 && typeof last !== "number"; i++) last = attempt(t);
    return last;
  }

  it("device not answering (its neighbour still does) -> nack; recovers", () => {
    const t = setUp();
    t.rig.sim.inject("nack", t.device.romCode);
    expect(attempt(t)).toBe("nack");
    t.rig.sim.clear("nack", t.device.romCode);
    t.device.setPhysical({ temperature: -10.125 });
    expect(recovered(t)).toBe(-10.125);
  });

  it("whole bus silent -> nack (no presence pulse)", () => {
    const t = setUp();
    t.rig.sim.inject("nack");
    expect(attempt(t)).toBe("nack");
    t.rig.sim.clear("nack");
    expect(recovered(t)).toBe(19.5);
  });

  it("line stuck low (reads as a valid all-zero scratchpad with CRC 0) -> bus, not 0 degC; recovers", () => {
    const t = setUp();
    t.rig.sim.inject("stuck");
    expect(attempt(t)).toBe("bus");
    t.rig.sim.clear("stuck");
    expect(recovered(t)).toBe(19.5);
  });

  it("corrupted scratchpad CRC -> crc; recovers", () => {
    const t = setUp();
    t.rig.sim.inject("crc", t.device.romCode);
    expect(attempt(t)).toBe("crc");
    t.rig.sim.clear("crc", t.device.romCode);
    expect(recovered(t)).toBe(19.5);
  });

  it("gone and back (power-on +85 degC, EEPROM resolution) -> nack, then recovers with the configured resolution", () => {
    const t = setUp({ resolution: 10 });
    t.rig.sim.inject("gone", t.device.romCode);
    expect(attempt(t)).toBe("nack");
    t.rig.sim.clear("gone", t.device.romCode);
    t.device.setPhysical({ temperature: 33.3 });
    // first cycle after the power-up sees the EEPROM configuration: not-ready, reconfigured
    expect(attempt(t)).toBe("not-ready");
    expect(recovered(t)).toBe(33.25); // 10-bit: 0.25 degC steps
  });

  it("stalled conversion (brown-out to the +85 degC power-on value) -> not-ready, never stale; recovers", () => {
    const t = setUp();
    t.rig.sim.inject("stale", t.device.romCode);
    t.device.setPhysical({ temperature: 40 });
    expect(attempt(t)).toBe("not-ready");
    t.rig.sim.clear("stale", t.device.romCode);
    expect(recovered(t)).toBe(40);
  });

  it("sample() before the conversion time -> not-ready, never the previous value", () => {
    const t = setUp();
    t.device.setPhysical({ temperature: 55 });
    const wait = t.driver.trigger();
    expect(wait).toBe(750);
    expect(codeOf(() => t.driver.sample())).toBe("not-ready");
    t.rig.clock.advance(700);
    expect(codeOf(() => t.driver.sample())).toBe("not-ready");
    t.rig.clock.advance(50);
    expect(t.driver.sample().temperature).toBe(55);
    expect(codeOf(() => t.driver.sample())).toBe("not-ready");
  });

  it("parasite-powered sensor browns out when the line is not driven during CONVERT T (what parasite: true prevents)", () => {
    const t = setUp({ parasite: true });
    const careless = new Ds18b20({ bus: t.rig.bus, clock: t.rig.clock, rom: t.device.romCode, parasite: false });
    t.device.setPhysical({ temperature: 12 });
    expect(codeOf(() => cycle(t.rig.clock, careless))).toBe("not-ready");
    expect(cycle(t.rig.clock, t.driver).temperature).toBe(12);
  });

  it("a real +85.0 degC reading is indistinguishable from the power-on value: reported not-ready (documented limit)", () => {
    const t = setUp();
    t.device.setPhysical({ temperature: 85 });
    expect(attempt(t)).toBe("not-ready");
    t.device.setPhysical({ temperature: 85.0625 });
    expect(attempt(t)).toBe(85.0625);
  });
});
