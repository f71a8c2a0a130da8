// SHT3x and AHT20 models at command level.
import { describe, expect, it } from "vitest";
import { SimAht20 } from "../../../sim/devices/aht20";
import { sensirionCrc } from "../../../sim/devices/checksums";
import { SimSht3x } from "../../../sim/devices/sht3x";
import { VirtualClock } from "../../../sim/virtual-clock";

const cmd = (...bytes: number[]) => new Uint8Array(bytes);

describe("SimSht3x", () => {
  it("single shot: NACK while measuring (§4.4), then T/RH words with CRC, readable once", () => {
    const clock = new VirtualClock();
    const d = new SimSht3x({ clock });
    d.setPhysical({ temperature: 25, humidity: 60 });
    expect(d.write(cmd(0x24, 0x00))).toBe(true);
    expect(d.read(6)).toBeUndefined();
    expect(d.write(cmd(0xf3, 0x2d))).toBe(false); // no ACK for anything while busy
    clock.advance(12.5);
    const data = d.read(6)!;
    expect(sensirionCrc([data[0]!, data[1]!])).toBe(data[2]);
    expect(sensirionCrc([data[3]!, data[4]!])).toBe(data[5]);
    expect(-45 + (175 * ((data[0]! << 8) | data[1]!)) / 65535).toBeCloseTo(25, 2);
    expect((100 * ((data[3]! << 8) | data[4]!)) / 65535).toBeCloseTo(60, 2);
    expect(d.read(6)).toBeUndefined();
  });

  it("durations by repeatability: 12.5 / 4.5 / 2.5 ms typical (Table 4)", () => {
    for (const [command, ms] of [[0x2400, 12.5], [0x240b, 4.5], [0x2416, 2.5]] as const) {
      const clock = new VirtualClock();
      const d = new SimSht3x({ clock });
      d.write(cmd(command >> 8, command & 0xff));
      clock.advance(ms - 0.1);
      expect(d.read(6)).toBeUndefined();
      clock.advance(0.1);
      expect(d.read(6)).toBeDefined();
    }
  });

  it("unknown and unmodelled commands are NACKed, flagged in status bit 1 and reported", () => {
    const d = new SimSht3x({ clock: new VirtualClock() });
    expect(d.write(cmd(0x20, 0x32))).toBe(false); // periodic mode: not modelled
    expect(d.write(cmd(0x12, 0x34))).toBe(false);
    expect(d.write(cmd(0x24))).toBe(false);
    expect(d.rejected).toHaveLength(3);
    d.write(cmd(0xf3, 0x2d));
    const status = d.read(3)!;
    expect(status[1]! & 0x02).toBe(0x02); // the last command was not processed
    expect(sensirionCrc([status[0]!, status[1]!])).toBe(status[2]);
    d.write(cmd(0xf3, 0x2d));
    expect(d.read(3)![1]! & 0x02).toBe(0); // the status read itself succeeded
  });

  it("status: reset detected after power-up, heater bit, clear status; soft reset NACKs for 1.5 ms", () => {
    const clock = new VirtualClock();
    const d = new SimSht3x({ clock });
    const status = () => {
      d.write(cmd(0xf3, 0x2d));
      const s = d.read(3)!;
      return (s[0]! << 8) | s[1]!;
    };
    expect(status() & 0x0010).toBe(0x0010);
    d.write(cmd(0x30, 0x6d));
    d.write(cmd(0x30, 0x41));
    expect(status()).toBe(0x2000);
    d.write(cmd(0x30, 0xa2));
    expect(d.write(cmd(0xf3, 0x2d))).toBe(false);
    clock.advance(1.5);
    expect(status()).toBe(0x0010);
  });

  it("crc fault corrupts every checksum", () => {
    const clock = new VirtualClock();
    const d = new SimSht3x({ clock });
    d.setFault("crc", true);
    d.write(cmd(0x24, 0x16));
    clock.advance(3);
    const data = d.read(6)!;
    expect(sensirionCrc([data[0]!, data[1]!])).not.toBe(data[2]);
  });
});

describe("SimAht20", () => {
  it("status byte first; trigger 0xAC 0x33 0x00; busy for 75 ms with the previous data; CRC over 6 bytes", () => {
    const clock = new VirtualClock();
    const d = new SimAht20({ clock });
    d.setPhysical({ temperature: 20, humidity: 40 });
    expect(d.read(1)![0]).toBe(0x18); // calibrated, idle
    d.write(cmd(0xac, 0x33, 0x00));
    clock.advance(100);
    const first = d.read(7)!;
    d.setPhysical({ temperature: 30 });
    d.write(cmd(0xac, 0x33, 0x00));
    const during = d.read(7)!;
    expect(during[0]! & 0x80).toBe(0x80);
    expect(Array.from(during.subarray(1, 6))).toEqual(Array.from(first.subarray(1, 6))); // stale data while busy
    clock.advance(75);
    const after = d.read(7)!;
    expect(after[0]! & 0x80).toBe(0);
    expect(sensirionCrc(Array.from(after.subarray(0, 6)))).toBe(after[6]);
    const t = (((after[3]! & 0x0f) << 16) | (after[4]! << 8) | after[5]!) / 1048576 * 200 - 50;
    expect(t).toBeCloseTo(30, 3);
  });

  it("a part that powers up uncalibrated refuses to measure until 0xBE 0x08 0x00", () => {
    const clock = new VirtualClock();
    const d = new SimAht20({ clock, calibratedAtPowerOn: false });
    expect(d.read(1)![0]! & 0x08).toBe(0);
    expect(d.write(cmd(0xac, 0x33, 0x00))).toBe(false);
    expect(d.write(cmd(0xbe, 0x08, 0x00))).toBe(true);
    expect(d.read(1)).toBeUndefined(); // 10 ms initialisation
    clock.advance(10);
    expect(d.read(1)![0]! & 0x08).toBe(0x08);
    expect(d.rejected).toHaveLength(1);
  });

  it("0x71 is the read address byte, not a command: written as one it is rejected and reported", () => {
    const d = new SimAht20({ clock: new VirtualClock() });
    expect(d.write(cmd(0x71))).toBe(false);
    expect(d.rejected[0]).toMatch(/0x71/);
  });

  it("back from a power cycle: 40 ms start-up, then usable", () => {
    const clock = new VirtualClock();
    const d = new SimAht20({ clock });
    d.setFault("gone", true);
    d.setFault("gone", false);
    expect(d.read(1)).toBeUndefined();
    clock.advance(40);
    expect(d.read(1)).toBeDefined();
  });
});
