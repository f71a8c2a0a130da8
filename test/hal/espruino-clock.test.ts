// getTime() jumps from uptime to wall-clock time at the first SNTP sync on ESP boards;
// the Espruino clock adapter must stay monotonic across it.
import { describe, expect, it } from "vitest";
import { monotonic } from "../../hal/espruino/clock";

describe("espruino clock", () => {
  it("removes the first SNTP jump and nothing else", () => {
    const samples = [1_000, 2_500, 10_000, 1_763_700_000_000, 1_763_700_001_000, 1_763_700_061_000];
    const out = samples.map(monotonic);
    expect(out).toEqual([1_000, 2_500, 10_000, 10_000, 11_000, 71_000]);
    for (let i = 1; i < out.length; i++) expect(out[i]!).toBeGreaterThanOrEqual(out[i - 1]!);
  });
});
