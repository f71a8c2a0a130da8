// The simulated I2C bus behaves like Espruino's I2C objects, per implementation.
import { describe, expect, it } from "vitest";
import { SimI2C } from "../../../sim/devices/i2c-bus";
import { SimBh1750 } from "../../../sim/devices/bh1750";
import { SimSht3x } from "../../../sim/devices/sht3x";
import { VirtualClock } from "../../../sim/virtual-clock";

function thrown(call: () => unknown): string {
  try {
    call();
  } catch (error) {
    return (error as Error).message;
  }
  return "(no error)";
}

describe("SimI2C", () => {
  it("hardware (ESP32): NACK and stuck bus throw Espruino's ESP32 messages", () => {
    const bus = new SimI2C({ clock: new VirtualClock() });
    bus.setup({ scl: 22, sda: 21, bitrate: 400000 });
    expect(thrown(() => bus.readFrom(0x10, 2))).toBe("jshI2CRead: slave doesn't ACK the transfer");
    expect(thrown(() => bus.writeTo(0x10, 1))).toBe("jshI2CWrite: slave doesn't ACK the transfer");
    bus.inject("stuck");
    expect(thrown(() => bus.writeTo(0x10, 1))).toBe("jshI2CWrite:, Operation timeout because the bus is busy");
  });

  it("software (new I2C()): NACK goes unnoticed, reads are all ones; a stuck bus throws", () => {
    const bus = new SimI2C({ mode: "software", clock: new VirtualClock() });
    bus.setup({ scl: 5, sda: 4 });
    expect(Array.from(bus.readFrom(0x10, 3))).toEqual([0xff, 0xff, 0xff]);
    bus.writeTo(0x10, [1, 2]);
    expect(bus.log.map((e) => e.outcome)).toEqual(["nack", "nack"]);
    bus.inject("stuck");
    expect(thrown(() => bus.readFrom(0x10, 1))).toBe("I2C Error: Arbitration (start)");
  });

  it("needs setup() first and rejects Espruino's invalid bitrate", () => {
    const bus = new SimI2C({ clock: new VirtualClock() });
    expect(thrown(() => bus.readFrom(0x23, 1))).toMatch(/setup/);
    expect(thrown(() => bus.setup({ bitrate: 50 }))).toBe("Invalid I2C bitrate");
  });

  it("writeTo flattens Espruino's data forms: numbers, arrays, typed arrays, strings, several arguments", () => {
    const clock = new VirtualClock();
    const bus = new SimI2C({ clock });
    bus.setup({});
    bus.attach(new SimSht3x({ clock }));
    bus.writeTo({ address: 0x44, stop: false }, 0xf3, [0x2d]);
    bus.writeTo(0x44, new Uint8Array([0xf3]), "\x2d");
    expect(bus.traffic(0x44).map((e) => e.bytes)).toEqual([[0xf3, 0x2d], [0xf3, 0x2d]]);
  });

  it("NACK for one address only, until cleared; faults and transactions are logged in order", () => {
    const clock = new VirtualClock();
    const bus = new SimI2C({ clock });
    bus.setup({});
    bus.attach(new SimBh1750({ clock }));
    bus.attach(new SimBh1750({ clock, address: 0x5c }));
    bus.inject("nack", 0x23);
    expect(thrown(() => bus.writeTo(0x23, 0x01))).toMatch(/ACK/);
    bus.writeTo(0x5c, 0x01);
    bus.clear("nack", 0x23);
    bus.writeTo(0x23, 0x01);
    expect(bus.log.map((e) => `${e.op}:${e.address?.toString(16)}:${e.outcome ?? e.fault}`)).toEqual([
      "inject:23:nack", "write:23:nack", "write:5c:ack", "clear:23:nack", "write:23:ack",
    ]);
    expect(() => bus.attach(new SimBh1750({ clock }))).toThrow(/taken/);
  });
});
