// A partial `sensornode bench <figure>` keeps the other figures' sections of RESULTS.md,
// marked with the run they came from (a partial run once rewrote the file without figure 3).
import { expect, it } from "vitest";
import { keptSections } from "../../bench/run";

const previous = [
  "# Benchmarks",
  "",
  "- date: 2026-11-22T03:14:07.174Z",
  "- commit: 6fedd30",
  "",
  "## 1. Footprint per example board",
  "",
  "| board | bytes |",
  "",
  "## 2. Bytes on the wire per reading",
  "",
  "wire table",
  "",
  "## 4. Accelerated time",
  "",
  "accelerated table",
  "",
  "## Commands",
  "",
  "npm run bench",
  "",
].join("\n");

it("keeps only the skipped figures that the earlier file has, each marked with its run", () => {
  const kept = keptSections(previous, ["wire", "fleet", "accelerated"]);
  expect([...kept.keys()]).toEqual(["wire", "accelerated"]);
  expect(kept.get("wire")).toBe(
    "## 2. Bytes on the wire per reading\n\n_Not re-run: from the run of 2026-11-22T03:14:07.174Z, commit 6fedd30 (`npx sensornode bench wire` refreshes it)._\n\nwire table",
  );
  expect(kept.get("accelerated")).not.toContain("## Commands");
});

it("a section kept twice keeps the date of the run that measured it", () => {
  const once = keptSections(previous, ["wire"]).get("wire")!;
  const later = `# Benchmarks\n\n- date: 2026-12-07T17:00:00.000Z\n- commit: abc1234\n\n${once}\n\n## Commands\n`;
  const twice = keptSections(later, ["wire"]).get("wire")!;
  expect(twice).toBe(once);
  expect(twice.match(/Not re-run/g)).toHaveLength(1);
});
