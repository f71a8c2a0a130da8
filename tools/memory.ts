// An estimate of the JS variables a bundle occupies on the board, from its syntax tree.
//
// How Espruino spends variables (measured on a 32-bit Linux build of Espruino 2v29 with
// 1,700 variables of 12 bytes, the ESP8266 configuration):
// - a string costs one variable per ~10 characters (12-byte blocks); ESP32's 14-byte blocks
//   hold ~12;
// - every function object keeps its own source text. Loaded into RAM (sent over the
//   console) that text is a RAM string; run from flash (Storage/.bootcde) it is a
//   reference into flash. The same 20 closures + 1 function used 177 variables from RAM
//   and 50 from flash;
// - a function object costs 3 + 1 per parameter (itself, a name and a reference for its
//   code); one made inside another function 1 more for its scope, and from two levels down
//   a fresh array of every enclosing scope (2 + depth more): an IIFE wrapper around the
//   bundle made every factory's closure cost 3 more (tools/build.ts drops it);
// - each scope binding, object property and array element costs ~1 more.
// What it leaves out: objects created at run time (buffers, queues, sockets, timers), and
// closures created per call. It is calibrated against the real interpreter by hand (CALIBRATION
// below); it is an estimate and says so.
import { parse } from "acorn";
import { fullAncestor } from "acorn-walk";
import type { BoardKind } from "../boards/schema";

export interface MemoryBudget {
  /** JS variables in all on this board. */
  total: number;
  /** Bytes per variable. */
  blockSize: number;
  /** Characters of string data per variable. */
  charsPerVariable: number;
  /** Variables the interpreter itself holds at boot (built-ins, console, WiFi). */
  baseline: number;
}

export const BUDGETS: Record<BoardKind, MemoryBudget> = {
  // ESP8266 builds have 1,700 variables; ~1,600 are left to JavaScript (design.md §3).
  ESP8266: { total: 1600, blockSize: 12, charsPerVariable: 10, baseline: 90 },
  // Up to 16,383 on ESP32, fewer when the heap is short (BLE, TLS buffers).
  ESP32: { total: 16383, blockSize: 14, charsPerVariable: 12, baseline: 150 },
  // Espruino on Linux grows its variables on demand; the figure is for comparison only.
  LINUX: { total: 16383, blockSize: 16, charsPerVariable: 13, baseline: 60 },
};

export interface MemoryEstimate {
  board: BoardKind;
  budget: MemoryBudget;
  functions: number;
  /** After boot when the code runs from flash (what `sensornode flash` does). */
  fromFlash: number;
  /** After boot when the code was sent into RAM over the console. */
  fromRam: number;
  /** While a RAM upload is being parsed: the whole source text is held as well. */
  peakRamUpload: number;
  /** The uncalibrated count behind fromFlash (variables, before CALIBRATION and baseline). */
  structure: number;
}

type AnyNode = any;

/**
 * Measured on a 32-bit Espruino 2v29 with 1,700 variables of 12 bytes, code run from flash
 * (.bootcde written in 1 KB chunks as `sensornode flash` does, then load()):
 * - per construct, the uncalibrated count is exact: 100 top-level functions without
 *   parameters cost 400 variables, 100 one-parameter closures made by one factory 610, and
 *   inside an IIFE wrapper 500 and 914;
 * - for a whole node it over-counts (not every function it sees is alive after boot): the
 *   door board used ~1,886 variables 6 s after boot (measured on an 8,000-variable build of
 *   the ESP8266 model, after both memory passes on the node and on the MQTT client) against
 *   an uncalibrated count of ~2,600: 0.69 (0.71 after the node's pass alone: ~2,046 against
 *   2,769). 0.76 is kept (the factor the first MQTT client bundle gave, 713 measured, 876
 *   counted): it errs ~10 % high, on the safe side. Earlier figures
 *   for the same board: ~2,537 measured against 3,088 counted (0.78) before the node shed
 *   closures, feature switches and boot-only functions; ~2,970 before the build dropped
 *   the IIFE wrapper.
 * `bench/espruino-memory.ts` repeats such a measurement for any board.
 */
const CALIBRATION = 0.76;

export function estimateMemory(code: string, board: BoardKind): MemoryEstimate {
  const budget = BUDGETS[board];
  const ast = parse(code, { ecmaVersion: "latest", sourceType: "script" }) as AnyNode;
  const wrapper = iifeWrapper(ast);
  const released = releasedNames(ast);
  let functions = 0;
  let functionText = 0;
  let structure = 0;
  fullAncestor(ast, (node: AnyNode, _state: unknown, ancestors: AnyNode[]) => {
    switch (node.type) {
      case "FunctionDeclaration":
      case "FunctionExpression":
      case "ArrowFunctionExpression": {
        if (node === wrapper) return;
        functions++;
        // A nested function's text is inside its parent's; count the outermost ones only
        // (an upper bound that assumes every one of them stays referenced after boot).
        const enclosing = ancestors.slice(0, -1).filter((a) => a !== wrapper && /Function/.test(a.type));
        if (enclosing.length === 0) functionText += node.end - node.start;
        // Measured (Espruino 2v29 from flash, ESP8266 model): the function itself, its code
        // (a name and a flash reference) and one per parameter; one created inside another
        // function also keeps its scope, and from two levels down a fresh array of them all.
        // A function declaration's own binding counts like a variable's.
        // A boot-only function released after the boot (tools/boot-only.ts) keeps only its name.
        if (node.type === "FunctionDeclaration" && released.has(node.id.name) && enclosing.length === 0) {
          structure += 1;
          break;
        }
        structure += 3 + node.params.length + (node.type === "FunctionDeclaration" ? 1 : 0);
        const depth = enclosing.length + (wrapper ? 1 : 0); // a wrapper is a scope too
        if (depth > 0) structure += 1 + (depth > 1 ? 1 + depth : 0);
        break;
      }
      case "VariableDeclarator":
        structure += 1;
        break;
      case "Property":
      case "PropertyDefinition":
      case "MethodDefinition":
        structure += 1;
        break;
      case "ArrayExpression":
        structure += 1 + node.elements.length;
        break;
      case "ObjectExpression":
      case "ClassDeclaration":
      case "ClassExpression":
        structure += 1;
        break;
      case "Literal":
        if (typeof node.value === "string" && node.value.length > 4) structure += Math.ceil(node.value.length / budget.charsPerVariable);
        break;
    }
  });
  const text = Math.ceil(functionText / budget.charsPerVariable);
  const fromFlash = budget.baseline + Math.round(CALIBRATION * structure);
  const fromRam = budget.baseline + Math.round(CALIBRATION * structure) + text;
  return {
    board,
    budget,
    functions,
    fromFlash,
    fromRam,
    peakRamUpload: fromRam + Math.ceil(code.length / budget.charsPerVariable),
    structure,
  };
}

/** The names tools/boot-only.ts sets to undefined in the bundle's last statement (`a=b=void 0;`). */
function releasedNames(ast: AnyNode): Set<string> {
  const names = new Set<string>();
  const last = ast.body[ast.body.length - 1];
  let e = last?.type === "ExpressionStatement" ? last.expression : undefined;
  while (e?.type === "AssignmentExpression" && e.left.type === "Identifier") {
    names.add(e.left.name);
    e = e.right;
  }
  return e?.type === "UnaryExpression" && e.operator === "void" ? names : new Set();
}

/** The bundle's `(() => { ... })()` wrapper: it runs once and is freed. */
function iifeWrapper(ast: AnyNode): AnyNode | undefined {
  const statement = ast.body.length === 1 ? ast.body[0] : undefined;
  const call = statement?.type === "ExpressionStatement" ? statement.expression : undefined;
  if (call?.type === "CallExpression" && (call.callee.type === "ArrowFunctionExpression" || call.callee.type === "FunctionExpression")) return call.callee;
  return undefined;
}
