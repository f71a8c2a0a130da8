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
// - each function object, scope binding, object property and array element costs ~1 more.
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
}

type AnyNode = any;

/**
 * Measured: the MQTT client bundle (11.5 KB minified, a client created and one connect
 * attempt made) run from flash (.bootcde) on a 32-bit Espruino 2v29 with 1,700 variables of
 * 12 bytes used 713 variables after boot (~50 of them the interpreter's own); the uncalibrated
 * count of its structure was 876. The same bundle sent into RAM ran out of memory.
 */
const CALIBRATION = 0.76;

export function estimateMemory(code: string, board: BoardKind): MemoryEstimate {
  const budget = BUDGETS[board];
  const ast = parse(code, { ecmaVersion: "latest", sourceType: "script" }) as AnyNode;
  const wrapper = iifeWrapper(ast);
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
        structure += 2 + node.params.length;
        // A nested function's text is inside its parent's; count the outermost ones only
        // (an upper bound that assumes every one of them stays referenced after boot).
        const enclosing = ancestors.slice(0, -1).filter((a) => a !== wrapper && /Function/.test(a.type));
        if (enclosing.length === 0) functionText += node.end - node.start;
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
  const fromFlash = budget.baseline + Math.round(CALIBRATION * (structure + functions));
  const fromRam = budget.baseline + Math.round(CALIBRATION * structure) + text;
  return {
    board,
    budget,
    functions,
    fromFlash,
    fromRam,
    peakRamUpload: fromRam + Math.ceil(code.length / budget.charsPerVariable),
  };
}

/** The bundle's `(() => { ... })()` wrapper: it runs once and is freed. */
function iifeWrapper(ast: AnyNode): AnyNode | undefined {
  const statement = ast.body.length === 1 ? ast.body[0] : undefined;
  const call = statement?.type === "ExpressionStatement" ? statement.expression : undefined;
  if (call?.type === "CallExpression" && (call.callee.type === "ArrowFunctionExpression" || call.callee.type === "FunctionExpression")) return call.callee;
  return undefined;
}
