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

  it("stands still through a step back (an RTC set back, even to 1970) and through the next sync", () => {
    // go on from the state above: now 71_000 at wall 1_763_700_061_000
    const samples = [1_763_700_071_000, 1_763_696_481_000, 1_763_696_491_000, 5_000, 15_000, 1_763_700_200_000, 1_763_700_210_000];
    const out = samples.map(monotonic);
    // 10 s on; an hour back: still; 10 s on; back to 1970: still; 10 s on; a sync: still; 10 s on
    expect(out).toEqual([81_000, 81_000, 91_000, 91_000, 101_000, 101_000, 111_000]);
  });
});
