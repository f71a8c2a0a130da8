// The BH1750 model at instruction level (datasheet 2011.11 Rev.D).
import { describe, expect, it } from "vitest";
import { SimBh1750 } from "../../../sim/devices/bh1750";
import { VirtualClock } from "../../../sim/virtual-clock";

const op = (value: number) => new Uint8Array([value]);
const counts = (d: SimBh1750) => {
  const b = d.read(2);
  return (b[0]! << 8) | b[1]!;
};

describe("SimBh1750", () => {
  it("one-time H-resolution: 120 ms, counts = lx * 1.2, then powered down (reset no longer accepted)", () => {
    const clock = new VirtualClock();
    const d = new SimBh1750({ clock });
    d.setPhysical({ illuminance: 500 });
    expect(d.write(op(0x01))).toBe(true);
    expect(d.write(op(0x20))).toBe(true);
    clock.advance(119);
    expect(counts(d)).toBe(0); // no busy flag: the register just has not changed yet
    clock.advance(1);
    expect(counts(d)).toBe(600);
    expect(d.write(op(0x07))).toBe(false); // powered down after a one-time measurement
    expect(d.rejected[0]).toMatch(/power-down/);
  });

  it("reset clears the data register only when powered on; a wrong 'reset' opcode is reported", () => {
    const clock = new VirtualClock();
    const d = new SimBh1750({ clock });
    d.write(op(0x01));
    d.write(op(0x10)); // continuous
    clock.advance(200);
    expect(counts(d)).toBeGreaterThan(0);
    expect(d.write(op(0x07))).toBe(true);
    expect(counts(d)).toBe(0);
    expect(d.write(op(0x03))).toBe(false); // not an opcode of this chip
    expect(d.rejected).toEqual(["bh1750: unknown opcode 0x03"]);
  });

  it("MTreg in two halves scales counts and time (p.11); H-resolution mode 2 doubles counts; saturation at 65535", () => {
    const clock = new VirtualClock();
    const d = new SimBh1750({ clock });
    d.setPhysical({ illuminance: 1000 });
    d.write(op(0x01));
    d.write(op(0x40 | (138 >> 5)));
    d.write(op(0x60 | (138 & 0x1f)));
    d.write(op(0x20));
    clock.advance(239);
    expect(counts(d)).toBe(0);
    clock.advance(1);
    expect(counts(d)).toBe(2400); // 1000 * 1.2 * 138/69
    d.write(op(0x01));
    d.write(op(0x21));
    clock.advance(240);
    expect(counts(d)).toBe(4800);
    d.setPhysical({ illuminance: 100000 });
    d.write(op(0x01));
    d.write(op(0x20));
    clock.advance(240);
    expect(counts(d)).toBe(65535);
  });

  it("measurement opcodes need Power On first; multi-byte writes are rejected", () => {
    const d = new SimBh1750({ clock: new VirtualClock() });
    expect(d.write(op(0x20))).toBe(false);
    expect(d.write(new Uint8Array([0x01, 0x20]))).toBe(false);
    expect(d.rejected).toHaveLength(2);
  });
});
