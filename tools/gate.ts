// The dialect gate: parses a built bundle and rejects everything Espruino cannot run, or
// runs wrongly (design.md §3, measured on Espruino 2v29). It works on the OUTPUT, so it
// also catches what a dependency or esbuild itself put there. The build runs it on both
// the readable and the minified bundle; test/tools/gate.test.ts proves each rule fires.
import { parse } from "acorn";
import { ancestor } from "acorn-walk";
import * as eslintScope from "eslint-scope";

export interface Violation {
  rule: string;
  message: string;
  line: number;
  column: number;
  /** The line of the bundle, trimmed, for context. */
  excerpt: string;
}

// eslint-scope and acorn describe the same ESTree nodes with different types; treat them loosely.
type AnyNode = any;

const BANNED_GLOBALS: Record<string, string> = {
  Map: "Espruino has no Map: use a plain object keyed by string",
  Set: "Espruino has no Set: use a plain object or an array",
  WeakMap: "Espruino has no WeakMap",
  WeakSet: "Espruino has no WeakSet",
  Symbol: "Espruino has no Symbol",
  Proxy: "Espruino has no Proxy",
  Reflect: "Espruino has no Reflect",
  Buffer: "Buffer is Node's: use Uint8Array",
  TextEncoder: "Espruino has no TextEncoder: encode UTF-8 by hand (strings are 8-bit on ESP boards)",
  TextDecoder: "Espruino has no TextDecoder",
  globalThis: "Espruino has no globalThis",
  queueMicrotask: "Espruino has no queueMicrotask: use setTimeout(fn, 0)",
  structuredClone: "Espruino has no structuredClone",
};

/** Static methods measured missing on Espruino 2v29. */
const MISSING_STATICS: Record<string, string[]> = {
  Array: ["from", "of"],
  Number: ["isFinite", "isInteger", "isSafeInteger", "parseFloat", "parseInt", "EPSILON", "MAX_SAFE_INTEGER", "MIN_SAFE_INTEGER"],
  Math: ["trunc", "log2", "log10", "hypot", "sign", "cbrt", "expm1", "log1p", "fround", "clz32", "imul"],
  Object: ["freeze", "isFrozen", "seal", "getOwnPropertySymbols", "fromEntries"],
  Promise: ["race", "allSettled", "any"],
};
/** Methods measured missing on instances (called as x.name(...)). */
const MISSING_METHODS: Record<string, string> = {
  finally: "Promise.prototype.finally is missing on Espruino: use then(f, f)",
  flat: "Array.prototype.flat is missing on Espruino",
  flatMap: "Array.prototype.flatMap is missing on Espruino",
  at: "Array/String .at() is missing on Espruino: use x[i] (and x[x.length - 1])",
};
/** Built-in modules of Espruino's ESP32/ESP8266/Linux builds that the firmware may require. */
const ESPRUINO_MODULES = ["net", "tls", "Wifi", "Storage", "http", "dgram", "Flash", "ESP8266", "ESP32", "heatshrink", "crypto"];
const ESPRUINO_PROCESS = ["memory", "env", "version", "on"];
/** Classes that cannot be subclassed correctly on Espruino. */
const NO_EXTENDS = ["Error", "TypeError", "RangeError", "SyntaxError", "Array", "Uint8Array", "Int8Array", "Uint16Array", "Int16Array", "Uint32Array", "Int32Array", "Float32Array", "Float64Array", "DataView", "Promise"];

export function checkDialect(code: string): Violation[] {
  const violations: Violation[] = [];
  const lines = code.split("\n");
  let ast: AnyNode;
  try {
    ast = parse(code, { ecmaVersion: "latest", sourceType: "script", locations: true, ranges: true, allowHashBang: false }) as AnyNode;
  } catch (error) {
    const loc = (error as { loc?: { line: number; column: number } }).loc ?? { line: 1, column: 0 };
    return [{ rule: "syntax", message: `not parseable as a script: ${(error as Error).message}`, line: loc.line, column: loc.column + 1, excerpt: excerptAt(lines, loc.line, loc.column) }];
  }
  function report(node: AnyNode, rule: string, message: string) {
    const line: number = node.loc.start.line;
    const column: number = node.loc.start.column;
    violations.push({ rule, message, line, column: column + 1, excerpt: excerptAt(lines, line, column) });
  }

  ancestor(ast, {
    ObjectPattern(node: AnyNode) {
      report(node, "destructuring", "destructuring is a ReferenceError at run time on Espruino: read the properties one by one");
    },
    ArrayPattern(node: AnyNode) {
      report(node, "destructuring", "array destructuring is a ReferenceError at run time on Espruino: index the array");
    },
    AssignmentPattern(node: AnyNode) {
      report(node, "default-parameter", "default parameters fail on Espruino: test for undefined in the body");
    },
    RestElement(node: AnyNode) {
      report(node, "rest-parameter", "rest parameters fail on Espruino: use `arguments` or pass an array");
    },
    SpreadElement(node: AnyNode) {
      report(node, "spread", "spread fails on Espruino: use concat, apply or Object.assign");
    },
    ChainExpression(node: AnyNode) {
      report(node, "optional-chaining", "`?.` fails on Espruino: test with && or an if");
    },
    BinaryExpression(node: AnyNode) {
      if (node.operator === "**") report(node, "exponent", "`**` fails on Espruino, and Math.pow is inexact there (Math.pow(2,16) !== 65536): use shifts or literals");
    },
    AssignmentExpression(node: AnyNode) {
      if (node.operator === "**=") report(node, "exponent", "`**=` fails on Espruino");
      if (node.operator === "||=" || node.operator === "&&=" || node.operator === "??=") report(node, "logical-assignment", `\`${node.operator}\` fails on Espruino: write a = a || b`);
    },
    Function(node: AnyNode) {
      if (node.async) report(node, "async", "async functions fail on Espruino: use callbacks or Promise.then");
      if (node.generator) report(node, "generator", "generators fail on Espruino");
    },
    AwaitExpression(node: AnyNode) {
      report(node, "async", "await fails on Espruino");
    },
    ForOfStatement(node: AnyNode) {
      if (node.await) report(node, "async", "for await fails on Espruino");
    },
    Property(node: AnyNode) {
      if (node.computed) report(node, "computed-key", "computed keys `{[k]: v}` fail on Espruino: create the object, then assign o[k] = v");
    },
    MethodDefinition(node: AnyNode) {
      if (node.key.type === "PrivateIdentifier") report(node, "private", "#private members fail on Espruino: use a plain property");
      if (node.computed) report(node, "computed-key", "computed class member names fail on Espruino");
    },
    PropertyDefinition(node: AnyNode) {
      if (node.key.type === "PrivateIdentifier") report(node, "private", "#private members fail on Espruino: use a plain property");
      report(node, "class-field", "class fields are wrong on Espruino (lost `this`): assign in the constructor (the build lowers them; this one escaped)");
    },
    StaticBlock(node: AnyNode) {
      report(node, "class-static-block", "static blocks fail on Espruino");
    },
    LabeledStatement(node: AnyNode) {
      report(node, "label", "labels fail on Espruino: use a flag or a function with return");
    },
    TaggedTemplateExpression(node: AnyNode) {
      report(node, "tagged-template", "tagged templates fail on Espruino");
    },
    MetaProperty(node: AnyNode) {
      report(node, "meta-property", `${node.meta.name}.${node.property.name} fails on Espruino`);
    },
    ImportExpression(node: AnyNode) {
      report(node, "dynamic-import", "import() does not exist on Espruino");
    },
    ImportDeclaration(node: AnyNode) {
      report(node, "module", "a bundle must be a plain script: no import");
    },
    ExportNamedDeclaration(node: AnyNode) {
      report(node, "module", "a bundle must be a plain script: no export");
    },
    Literal(node: AnyNode) {
      if (typeof node.bigint === "string") report(node, "bigint", "BigInt does not exist on Espruino");
      if (!node.regex) return;
      const pattern: string = node.regex.pattern;
      const bad = /\(\?[:=!<]/.test(pattern) ? "(?: (?= (?! or lookbehind groups" : /\\[bB]/.test(pattern) ? "\\b" : /(^|[^\\])\{\d*,?\d*\}/.test(pattern) ? "{n,m} counts" : undefined;
      if (bad) report(node, "regex", `Espruino's regex engine has no ${bad}: this pattern matches wrongly or not at all there`);
    },
    Class(node: AnyNode) {
      const superClass = node.superClass as AnyNode | null;
      if (superClass && superClass.type === "Identifier" && NO_EXTENDS.includes(superClass.name)) {
        report(node, "extends-builtin", `\`extends ${superClass.name}\` is broken on Espruino: make a plain ${superClass.name} and add properties (see hal/errors.ts codedError)`);
      }
    },
    MemberExpression(node: AnyNode) {
      if (node.property.type === "PrivateIdentifier") report(node, "private", "#private members fail on Espruino: use a plain property");
      const object = node.object as AnyNode;
      const property = node.property as AnyNode;
      const name = !node.computed && property.type === "Identifier" ? (property.name as string) : undefined;
      if (!name) return;
      if (object.type === "MemberExpression" && !object.computed && object.object.type === "Identifier" && object.object.name === "Array" && object.property.name === "prototype") {
        report(node, "array-prototype", `Array.prototype.${name} is undefined on Espruino: use [].${name}`);
      }
      if (object.type === "Identifier" && object.name === "process" && !ESPRUINO_PROCESS.includes(name)) {
        report(node, "node-api", `process.${name} is Node's; Espruino's process has only ${ESPRUINO_PROCESS.join(", ")}`);
      }
      if (object.type === "Identifier" && Object.hasOwn(MISSING_STATICS, object.name) && MISSING_STATICS[object.name]!.includes(name)) {
        report(node, "missing-builtin", `${object.name}.${name} does not exist on Espruino 2v29`);
      }
    },
    CallExpression(node: AnyNode) {
      const callee = node.callee as AnyNode;
      const isRequire = (callee.type === "Identifier" && callee.name === "require") ||
        (callee.type === "MemberExpression" && !callee.computed && callee.object.type === "Identifier" && callee.object.name === "global" && callee.property.name === "require");
      if (isRequire) {
        // The module name must be known statically: a literal, or a choice between literals.
        const names: (string | undefined)[] = [];
        const collect = (argument: AnyNode | undefined) => {
          if (argument && argument.type === "ConditionalExpression") {
            collect(argument.consequent);
            collect(argument.alternate);
          } else names.push(argument && argument.type === "Literal" && typeof argument.value === "string" ? argument.value : undefined);
        };
        collect(node.arguments[0]);
        for (const name of names) {
          if (name === undefined || !ESPRUINO_MODULES.includes(name)) {
            report(node, "node-api", `require(${name === undefined ? "..." : JSON.stringify(name)}) is not an Espruino module (known: ${ESPRUINO_MODULES.join(", ")})`);
            break;
          }
        }
      }
      if (callee.type === "MemberExpression" && !callee.computed && callee.property.type === "Identifier" && Object.hasOwn(MISSING_METHODS, callee.property.name)) {
        report(node, "missing-builtin", MISSING_METHODS[callee.property.name]!);
      }
    },
  } as any);

  scopeChecks(ast, report);
  violations.sort((a, b) => a.line - b.line || a.column - b.column);
  return violations;
}

/** Checks that need to know what each name refers to. */
function scopeChecks(ast: AnyNode, report: (node: AnyNode, rule: string, message: string) => void) {
  const manager = eslintScope.analyze(ast as any, { ecmaVersion: 2022 as any, sourceType: "script" });
  const global = manager.globalScope!;
  for (const reference of global.through) {
    const name = reference.identifier.name;
    if (Object.hasOwn(BANNED_GLOBALS, name)) report(reference.identifier as AnyNode, "banned-global", `${name}: ${BANNED_GLOBALS[name]}`);
  }
  for (const scope of manager.scopes) {
    for (const variable of scope.variables) {
      const definition = variable.defs[0];
      if (!definition) continue;
      const declared = (definition.name as AnyNode).range![0];
      for (const reference of variable.references) {
        const at = (reference.identifier as AnyNode).range![0];
        if (at >= declared || reference.init) continue;
        // A use inside a nested function runs later, when it is called: fine unless called
        // early, which a static check cannot know. A use in the same function body runs now.
        if (functionScope(reference.from) !== functionScope(scope)) continue;
        if (definition.type === "FunctionName" || (definition.type === "Variable" && (definition.parent as AnyNode).kind === "var")) {
          report(reference.identifier as AnyNode, "use-before-define", `"${variable.name}" is used before its declaration; Espruino does not hoist functions or vars: move the declaration up`);
        }
      }
    }
    // A closure over a let/const loop variable sees the LAST value on Espruino.
    if (scope.type === "for") {
      for (const variable of scope.variables) {
        for (const reference of variable.references) {
          if (functionScope(reference.from) !== functionScope(scope)) {
            report(reference.identifier as AnyNode, "loop-closure", `a function inside the loop captures the loop variable "${variable.name}"; on Espruino every closure sees its last value: use forEach`);
            break;
          }
        }
      }
    }
    // esbuild writes `var C = class _C {...}` when a class refers to itself; Espruino does not bind _C.
    if (scope.type === "class" && (scope.block as AnyNode).type === "ClassExpression" && (scope.block as AnyNode).id) {
      const self = scope.variables.find((v) => v.name === (scope.block as AnyNode).id.name);
      const use = self?.references[0];
      if (use) report(use.identifier as AnyNode, "class-self-reference", `class expression "${self!.name}" refers to itself by name, which Espruino does not bind: refer to the outer variable, or use this.constructor`);
    }
  }
}

function functionScope(scope: eslintScope.Scope): eslintScope.Scope {
  let current: eslintScope.Scope | null = scope;
  while (current && current.type !== "function" && current.type !== "global" && current.type !== "module") current = current.upper;
  return current ?? scope;
}

function excerptAt(lines: string[], line: number, column: number): string {
  const text = lines[line - 1] ?? "";
  if (text.length <= 100) return text.trim();
  const start = Math.max(0, column - 40);
  return `${start > 0 ? "..." : ""}${text.slice(start, start + 80)}...`;
}

export function formatViolation(violation: Violation, file: string): string {
  return `${file}:${violation.line}:${violation.column} [${violation.rule}] ${violation.message}\n    ${violation.excerpt}`;
}
