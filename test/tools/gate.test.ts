// The dialect gate must reject every construct Espruino cannot run, one fixture per rule,
// and accept a fixture that uses everything Espruino CAN run (checked on the real interpreter).
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { checkDialect } from "../../tools/gate";

const dir = path.join(import.meta.dirname, "../fixtures/dialect");
const bad = fs.readdirSync(path.join(dir, "bad")).filter((f) => f.endsWith(".js")).sort();

describe("dialect gate", () => {
  it("has a bad fixture for every rule it enforces", () => {
    const rules = new Set(bad.map((f) => /expect: (\S+)/.exec(fs.readFileSync(path.join(dir, "bad", f), "utf8"))![1]));
    for (const rule of [
      "destructuring", "default-parameter", "rest-parameter", "spread", "optional-chaining", "exponent", "logical-assignment",
      "async", "generator", "computed-key", "label", "private", "tagged-template", "class-field", "banned-global",
      "use-before-define", "array-prototype", "extends-builtin", "class-self-reference", "loop-closure", "missing-builtin",
      "node-api", "regex", "bigint", "syntax",
    ]) {
      expect(rules, `a fixture for ${rule}`).toContain(rule);
    }
  });

  it.each(bad)("rejects %s with the expected rule", (file) => {
    const code = fs.readFileSync(path.join(dir, "bad", file), "utf8");
    const expected = /expect: (\S+)/.exec(code)![1];
    const violations = checkDialect(code);
    expect(violations.map((v) => v.rule)).toContain(expected);
    const violation = violations.find((v) => v.rule === expected)!;
    expect(violation.line).toBeGreaterThan(0);
    expect(violation.message.length).toBeGreaterThan(10);
  });

  it("accepts everything in the 'works' column", () => {
    const code = fs.readFileSync(path.join(dir, "good", "everything-allowed.js"), "utf8");
    expect(checkDialect(code)).toEqual([]);
  });

  it("does not mistake Object.prototype names for missing built-ins", () => {
    expect(checkDialect("(function(){ var n = 5; print(n.toString(16), ({}).hasOwnProperty('x'), [1].constructor); })();")).toEqual([]);
  });

  it("allows a use inside a function declared before the callee (runs later)", () => {
    expect(checkDialect("(function(){ function a(){ return b(); } function b(){ return 1; } a(); })();")).toEqual([]);
  });

  it("does not flag a local variable that shadows a banned global", () => {
    expect(checkDialect("(function(){ var Map = {}; Map.x = 1; })();")).toEqual([]);
  });

  it("reports the line and column of the offending construct", () => {
    const violations = checkDialect("(function () {\n  var a = 1;\n  var b = a ** 2;\n})();");
    expect(violations).toHaveLength(1);
    expect(violations[0]).toMatchObject({ rule: "exponent", line: 3, column: 11 });
  });
});

describe("require", () => {
  it("accepts a choice between Espruino modules and rejects a computed name", () => {
    expect(checkDialect('(function(){ var tls = true; var m = global.require(tls ? "tls" : "net"); print(m); })();')).toEqual([]);
    expect(checkDialect('(function(){ var n = "fs"; var m = global.require(n); print(m); })();').map((v) => v.rule)).toEqual(["node-api"]);
    expect(checkDialect('(function(){ var m = require(true ? "net" : "fs"); print(m); })();').map((v) => v.rule)).toEqual(["node-api"]);
  });
});
