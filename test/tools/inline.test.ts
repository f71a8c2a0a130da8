// tools/inline.ts: top-level constants become literals before minification (each one a
// variable saved on the board); anything written more than once is left alone.
import vm from "node:vm";
import { describe, expect, it } from "vitest";
import { inlineConstants } from "../../tools/inline";

function run(code: string): unknown {
  return vm.runInNewContext(`${code}\nresult;`, {});
}

describe("inlineConstants", () => {
  const source = [
    "var PUBLISH = 3;",
    'var FILE = "sn-buffer";',
    "var READY = true;",
    "var counter = 0;", // written below: kept
    "var a = 1, b = 2;", // two declarators: kept
    "function bump() { counter += PUBLISH; return counter; }",
    "function make() { return { PUBLISH, file: FILE, READY }; }",
    "bump();",
    "var result = [bump(), make(), a + b, typeof PUBLISH];",
  ].join("\n");

  it("replaces read-only literal bindings by their value and keeps the program's meaning", () => {
    const { code, inlined } = inlineConstants(source);
    expect(inlined.sort()).toEqual(["FILE", "PUBLISH", "READY"]);
    expect(code).not.toMatch(/var PUBLISH|var FILE|var READY/);
    expect(code).toContain("var counter = 0;");
    expect(code).toContain("var a = 1, b = 2;");
    expect(code).toContain("PUBLISH: 3"); // a shorthand property keeps its key
    expect(run(code)).toEqual(run(source));
  });

  it("leaves a binding that is assigned anywhere", () => {
    const { inlined } = inlineConstants("var LIMIT = 4;\nfunction raise() { LIMIT = 8; }\nraise();");
    expect(inlined).toEqual([]);
  });
});
