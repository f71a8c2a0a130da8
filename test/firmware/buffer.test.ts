// Store-and-forward buffer: order kept, oldest dropped and counted when full, time rebased
// once, spilled to Storage and restored in front of newer readings.
import { describe, expect, it } from "vitest";
import { ReadingBuffer, type Reading } from "../../firmware/buffer";
import { memoryStorage } from "./harness";

function reading(sequence: number, timeValid = true): Reading {
  return { key: sequence % 5, value: sequence / 4, time: 1_700_000_000_000 + sequence * 10_000, timeValid, sequence };
}

function drain(buffer: ReadingBuffer): Reading[] {
  const out: Reading[] = [];
  for (let r = buffer.shift(); r; r = buffer.shift()) out.push(r);
  return out;
}

describe("ReadingBuffer", () => {
  it("keeps a 30-minute outage at a 10 s interval in order, losing nothing within capacity", () => {
    const buffer = new ReadingBuffer(256);
    for (let i = 0; i < 180; i++) expect(buffer.push(reading(i))).toBe(false);
    const out = drain(buffer);
    expect(out.map((r) => r.sequence)).toEqual(Array.from({ length: 180 }, (_, i) => i));
    expect(out[7]).toEqual(reading(7));
    expect(buffer.dropped).toBe(0);
  });

  it("drops the oldest when full and counts the drops", () => {
    const buffer = new ReadingBuffer(10);
    let drops = 0;
    for (let i = 0; i < 25; i++) if (buffer.push(reading(i))) drops++;
    expect(drops).toBe(15);
    expect(buffer.dropped).toBe(15);
    expect(drain(buffer).map((r) => r.sequence)).toEqual([15, 16, 17, 18, 19, 20, 21, 22, 23, 24]);
  });

  it("wraps sequence numbers at 16 bits", () => {
    const buffer = new ReadingBuffer(4);
    buffer.push({ ...reading(1), sequence: 65537 });
    expect(buffer.shift()!.sequence).toBe(1);
  });

  it("rebases readings taken before time sync, once, leaving valid ones alone", () => {
    const buffer = new ReadingBuffer(8);
    buffer.push({ key: 1, value: 1, time: 5_000, timeValid: false, sequence: 1 });
    buffer.push({ key: 1, value: 2, time: 1_700_000_000_000, timeValid: true, sequence: 2 });
    buffer.rebase(1_699_999_990_000);
    buffer.rebase(123); // a second rebase must not move anything
    const out = drain(buffer);
    expect(out.map((r) => [r.time, r.timeValid])).toEqual([
      [1_699_999_995_000, true],
      [1_700_000_000_000, true],
    ]);
  });

  it("spills to Storage and restores in front of newer readings, after a reboot", () => {
    const storage = memoryStorage();
    const before = new ReadingBuffer(16);
    for (let i = 0; i < 5; i++) before.push(reading(i));
    before.push({ key: 2, value: 9.5, time: 1234, timeValid: false, sequence: 5 });
    expect(before.spill(storage)).toBe(6);
    expect(before.length).toBe(0);

    const after = new ReadingBuffer(16); // RAM is gone; Storage is not
    after.push(reading(6));
    expect(after.restore(storage)).toBe(6);
    const out = drain(after);
    expect(out.map((r) => r.sequence)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(out[5]!.timeValid).toBe(false);
    expect(Number.isNaN(out[5]!.time)).toBe(true); // a monotonic time means nothing after reboot
    expect(storage.list()).toEqual([]);
  });

  it("appends to an earlier spill instead of overwriting it", () => {
    const storage = memoryStorage();
    const buffer = new ReadingBuffer(4);
    buffer.push(reading(0));
    buffer.spill(storage);
    buffer.push(reading(1));
    buffer.spill(storage);
    buffer.restore(storage);
    expect(drain(buffer).map((r) => r.sequence)).toEqual([0, 1]);
  });

  it("stores values as 32-bit floats: close to, not exactly, the input", () => {
    const buffer = new ReadingBuffer(2);
    buffer.push({ ...reading(0), value: 23.45 });
    expect(buffer.shift()!.value).toBeCloseTo(23.45, 5);
  });

  it("rejects an impossible capacity", () => {
    expect(() => new ReadingBuffer(0)).toThrow(/capacity/);
    expect(() => new ReadingBuffer(70000)).toThrow(/capacity/);
  });
});
