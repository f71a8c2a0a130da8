// tools/memory.ts against what Espruino 2v29 (ESP8266 memory model: 1,700 variables of 12
// bytes) was measured to use for these exact programs run from flash (.bootcde, load()):
// usage printed at the end minus the interpreter's own 90. The uncalibrated count must
// match them per construct.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { estimateMemory } from "../../tools/memory";
import { ROOT } from "../../tools/build";

const PRINT = 'print("P1 "+process.memory().usage);';
const wrap = (body: string) => `(()=>{${body}${PRINT}})();`;
const topLevel = (n: number) => Array.from({ length: n }, (_, i) => `function f${i}(){return ${i}}`).join("");
const factory = (n: number) =>
  `function mk(){${Array.from({ length: n }, (_, i) => `const f${i}=function(e){return e+${i}};`).join("")}return function(){return f1}}var k=mk();`;

describe("memory model", () => {
  it.each([
    ["100 top-level functions", topLevel(100) + PRINT, 400],
    ["100 closures made by a factory", factory(100) + PRINT, 610],
    ["100 functions inside an IIFE", wrap(topLevel(100)), 500],
    ["100 closures made by a factory inside an IIFE", wrap(factory(100)), 914],
  ])("counts %s as measured", (_name, code, measured) => {
    const structure = estimateMemory(code, "ESP8266").structure;
    expect(Math.abs(structure - measured)).toBeLessThanOrEqual(3);
  });

  it("charges the IIFE wrapper the scope it costs", () => {
    const code = fs.readFileSync(path.join(ROOT, "test", "fixtures", "dialect", "good", "everything-allowed.js"), "utf8");
    const bare = estimateMemory(code, "ESP8266").structure;
    expect(estimateMemory(`(()=>{${code}})();`, "ESP8266").structure).toBeGreaterThan(bare);
  });
});
