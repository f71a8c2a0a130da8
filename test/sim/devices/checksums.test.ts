// The simulated devices' checksums against published vectors, and against the driver-side
// implementation (two independent implementations that must agree).
import { describe, expect, it } from "vitest";
import { crc8Dallas, crc8Sensirion } from "../../../hal/crc8";
import { dallasCrc, sensirionCrc } from "../../../sim/devices/checksums";
import { Random } from "../../../sim/devices/random";

describe("CRC-8", () => {
  it("Sensirion: 0xBE 0xEF -> 0x92 (SHT3x datasheet §4.12), in both implementations", () => {
    expect(sensirionCrc([0xbe, 0xef])).toBe(0x92);
    expect(crc8Sensirion(new Uint8Array([0xbe, 0xef]), 0, 2)).toBe(0x92);
    expect(sensirionCrc([])).toBe(0xff); // init value
  });

  it("Dallas: Maxim application note 27's example 02 1C B8 01 00 00 00 -> A2, and data+CRC -> 0", () => {
    const rom = [0x02, 0x1c, 0xb8, 0x01, 0x00, 0x00, 0x00];
    expect(dallasCrc(rom)).toBe(0xa2);
    expect(crc8Dallas(new Uint8Array(rom), 0, 7)).toBe(0xa2);
    expect(dallasCrc([...rom, 0xa2])).toBe(0);
  });

  it("device and driver implementations agree on 2000 random messages", () => {
    const r = new Random(77);
    for (let n = 0; n < 2000; n++) {
      const data = new Uint8Array(r.int(1, 9)).map(() => r.int(0, 255));
      expect(sensirionCrc(data)).toBe(crc8Sensirion(data, 0, data.length));
      expect(dallasCrc(data)).toBe(crc8Dallas(data, 0, data.length));
    }
  });
});
