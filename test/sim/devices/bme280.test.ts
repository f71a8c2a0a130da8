// The BME280 / BMP280 model at register level (datasheet BST-BME280-DS002).
import { describe, expect, it } from "vitest";
import { SimBme280, generateCalibration, referenceHumidity, referenceTemperature } from "../../../sim/devices/bme280";
import { VirtualClock } from "../../../sim/virtual-clock";

function rig(options: Partial<ConstructorParameters<typeof SimBme280>[0]> = {}) {
  const clock = new VirtualClock();
  const device = new SimBme280(Object.assign({ clock }, options));
  const read = (register: number, length: number) => {
    device.write(new Uint8Array([register]));
    return Array.from(device.read(length));
  };
  const write = (...bytes: number[]) => device.write(new Uint8Array(bytes));
  return { clock, device, read, write };
}

describe("SimBme280", () => {
  it("chip id: 0x60 BME280, 0x58 BMP280 (§5.4.1)", () => {
    expect(rig().read(0xd0, 1)).toEqual([0x60]);
    expect(rig({ chip: "bmp280" }).read(0xd0, 1)).toEqual([0x58]);
  });

  it("trimming registers follow Table 16, with signed 12-bit H4/H5 split across 0xE4..0xE6", () => {
    const r = rig({ calibration: { T2: -2, H2: -300, H4: -1, H5: -17, H6: -90 } });
    const calib = r.read(0x88, 26);
    expect(calib[2]! | (calib[3]! << 8)).toBe(0xfffe); // T2 = -2, little endian
    const h = r.read(0xe1, 7);
    expect(((h[0]! | (h[1]! << 8)) << 16) >> 16).toBe(-300);
    expect(h[3]).toBe(0xff); // H4[11:4] of 0xFFF
    expect(h[4]).toBe(0xff & ((-17 & 0x0f) << 4 | 0x0f)); // H5[3:0] << 4 | H4[3:0]
    expect(h[5]).toBe((-17 >> 4) & 0xff); // H5[11:4]
    expect((h[6]! << 24) >> 24).toBe(-90);
  });

  it("seeded trimming is reproducible and realistic (negative T3/P2/P6/P8 on every part)", () => {
    expect(generateCalibration(5)).toEqual(generateCalibration(5));
    expect(generateCalibration(5)).not.toEqual(generateCalibration(6));
    for (let seed = 0; seed < 200; seed++) {
      const c = generateCalibration(seed);
      expect(c.P2).toBeLessThan(0);
      expect(c.P6).toBeLessThan(0);
      expect(c.P8).toBeLessThan(0);
      expect(c.T3).toBeLessThanOrEqual(50);
    }
  });

  it("the register pointer persists across transactions and auto-increments on reads (§6.2.2)", () => {
    const r = rig();
    const all = r.read(0x88, 8);
    r.write(0x88);
    expect(Array.from(r.device.read(3))).toEqual(all.slice(0, 3));
    expect(Array.from(r.device.read(5))).toEqual(all.slice(3, 8));
  });

  it("forced mode: measuring bit and mode bits while converting, data shadowed until done, back to sleep", () => {
    const r = rig();
    r.device.setPhysical({ temperature: 10 });
    r.write(0xf2, 1, 0xf4, 0x25); // ctrl_hum x1, ctrl_meas T x1 P x1 forced
    const before = r.read(0xfa, 3);
    expect(before).toEqual([0x80, 0, 0]); // reset value: nothing converted yet
    r.device.setPhysical({ temperature: 30 }); // too late for this conversion
    expect(r.read(0xf3, 2)).toEqual([0x08, 0x25]);
    r.clock.advance(7);
    expect(r.read(0xf3, 1)).toEqual([0x08]);
    expect(r.read(0xfa, 3)).toEqual(before); // shadowed: the previous result
    r.clock.advance(1); // typical time at x1: 1 + 2 + 2.5 + 2.5 = 8 ms
    expect(r.read(0xf3, 2)).toEqual([0x00, 0x24]);
    const raw = r.read(0xfa, 3);
    const adcT = (raw[0]! << 12) | (raw[1]! << 4) | (raw[2]! >> 4);
    expect(referenceTemperature(r.device.calibration, adcT).temperature).toBeCloseTo(10, 2);
    expect(adcT & 0x0f).toBe(0); // 16-bit result at x1 (§3.4.1)
  });

  it("ctrl_hum takes effect only with the next ctrl_meas write (§5.4.3)", () => {
    const r = rig();
    r.write(0xf2, 1); // humidity x1, not yet applied
    r.write(0xf4, 0x25);
    r.clock.advance(10);
    expect(r.read(0xfd, 2)).not.toEqual([0x80, 0x00]);
    const r2 = rig();
    r2.write(0xf4, 0x25, 0xf2, 1); // ctrl_hum after ctrl_meas: humidity skipped this time
    r2.clock.advance(10);
    expect(r2.read(0xfd, 2)).toEqual([0x80, 0x00]);
  });

  it("16x oversampling gives 20-bit results; the IIR filter smooths steps (§3.4.4)", () => {
    const r = rig();
    r.device.setPhysical({ temperature: 21.123 });
    r.write(0xf4, (5 << 5) | (5 << 2) | 1);
    r.clock.advance(100);
    const raw = r.read(0xfa, 3);
    expect(raw[2]! >> 4).not.toBe(0);
    const f = rig();
    f.write(0xf5, 2 << 2, 0xf4, 0x25); // filter coefficient 4
    f.clock.advance(10);
    const first = f.read(0xfa, 3);
    f.device.setPhysical({ temperature: 60 });
    f.write(0xf4, 0x25);
    f.clock.advance(10);
    const second = f.read(0xfa, 3);
    const t1 = referenceTemperature(f.device.calibration, (first[0]! << 12) | (first[1]! << 4) | (first[2]! >> 4)).temperature;
    const t2 = referenceTemperature(f.device.calibration, (second[0]! << 12) | (second[1]! << 4) | (second[2]! >> 4)).temperature;
    expect(t1).toBeCloseTo(20, 1);
    expect(t2).toBeGreaterThan(25); // a quarter of the step
    expect(t2).toBeLessThan(35);
  });

  it("normal mode keeps converting (§3.3.4)", () => {
    const r = rig();
    r.write(0xf5, 0 << 5, 0xf4, 0x27);
    r.clock.advance(10);
    const first = r.read(0xfa, 3);
    r.device.setPhysical({ temperature: 50 });
    r.clock.advance(20);
    r.read(0xf3, 1); // a transaction lets the model catch up
    r.clock.advance(20);
    expect(r.read(0xfa, 3)).not.toEqual(first);
  });

  it("soft reset only with 0xB6; read-only and absent registers are reported, BMP280 has no ctrl_hum", () => {
    const r = rig();
    r.write(0xf5, 0x10);
    r.write(0xe0, 0xb5);
    expect(r.read(0xf5, 1)).toEqual([0x10]);
    r.write(0xe0, 0xb6);
    expect(r.read(0xf5, 1)).toEqual([0x00]);
    r.write(0xd0, 0x61);
    expect(r.read(0xd0, 1)).toEqual([0x60]);
    expect(r.device.rejected.length).toBe(2);
    const p = rig({ chip: "bmp280" });
    p.write(0xf2, 1);
    expect(p.device.rejected).toEqual(["bmp280: write to ctrl_hum, which a BMP280 does not have"]);
  });

  it("stale fault: the conversion never finishes while it lasts, then completes", () => {
    const r = rig();
    r.device.setFault("stale", true);
    r.write(0xf4, 0x25);
    r.clock.advance(100);
    expect(r.read(0xf3, 1)).toEqual([0x08]);
    r.device.setFault("stale", false);
    expect(r.read(0xf3, 1)).toEqual([0x00]);
  });

  it("the humidity reference is monotonic and reaches 0..100 %RH with typical trimming", () => {
    const d = rig().device;
    const tFine = referenceTemperature(d.calibration, 520000).tFine;
    let previous = -Infinity;
    for (let adc = 0; adc < 65536; adc += 512) {
      const h = referenceHumidity(d.calibration, adc, tFine);
      expect(h).toBeGreaterThan(previous);
      previous = h;
    }
    expect(d.reachableHumidity(25)).toEqual([0, 100]);
  });
});
