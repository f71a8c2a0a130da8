// tools/boot-only.ts: top-level functions that only the boot calls are released after it;
// anything that may run later (called from a closure, a timer, or passed as a value) stays.
import { describe, expect, it } from "vitest";
import { releaseBootOnly } from "../../tools/boot-only";

describe("releaseBootOnly", () => {
  it("releases what only the boot calls, keeps what can run later", () => {
    const source = [
      "function part(a) { return a + 1; }", // called by make's own body: boot-only
      "function helper(x) { return x * 2; }", // called by a closure make returns: stays
      "function value() { return 3; }", // passed as a value: stays
      "function timer() { return 4; }", // called from a callback: stays
      "function make(o) { const n = part(o); return { run: function () { return helper(n); }, value: value }; }",
      "var node = make(1);",
      "var config = { n: 1 };", // read only by the boot: the name is released
      "var later = make(config.n);",
      "sink(function () { return [later.run(), later.value()]; });", // `later` is read by a closure: kept
      "setTimeout(function () { timer(); }, 10);",
      "function shadowed() { return 5; }",
      "function user(shadowed) { return shadowed(); }", // a parameter, not the top-level function
      "var u = user(function () { return 6; });",
      "shadowed();",
    ].join("\n");
    const { code, released } = releaseBootOnly(source);
    // Functions only called by the boot, and variables only read by it.
    expect(released.sort()).toEqual(["config", "make", "node", "part", "shadowed", "u", "user"]);
    expect(code.trim().split("\n").pop()).toMatch(/^(\w+=){7}void 0;$/);
    // It still runs, and the released names are gone afterwards.
    let check: () => unknown[] = () => [];
    const run = new Function("sink", `${code}; return [typeof make, typeof part, typeof helper, typeof node, typeof later];`);
    expect(run((f: () => unknown[]) => (check = f))).toEqual(["undefined", "undefined", "function", "undefined", "object"]);
    expect(check()).toEqual([4, 3]);
  });

  it("keeps a function that calls itself (conservative: not worth the analysis)", () => {
    const { released } = releaseBootOnly("function loop(n) { return n > 0 ? loop(n - 1) : 0; }\nloop(3);");
    expect(released).toEqual([]);
  });
});
