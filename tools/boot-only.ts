// Releases the bundle's boot-only functions once the boot has run.
//
// The board's bundle runs its top level in Espruino's global scope (tools/build.ts), where
// every top-level function stays alive for the node's whole life: ~4 variables plus one per
// parameter each (design.md §3). Many run only while the node is put together — createNode,
// the factories it calls, the platform and system adapters' constructors, the MQTT client's
// factory — and are never called again. A top-level function is boot-only when every
// reference to it is a call made while the top level runs: from a top-level statement, or
// directly from the body of another boot-only function (not from a function nested in it,
// which may run later, and not as a value, which may be called at any time). Those names
// are set to undefined by one statement appended after the last top-level statement, which
// frees the function objects (each name keeps one variable).
import { parse } from "acorn";
import { simple } from "acorn-walk";
import * as eslintScope from "eslint-scope";

type AnyNode = any;

/** `code` is the minified unwrapped bundle (a module body: no import/export). */
export function releaseBootOnly(code: string): { code: string; released: string[] } {
  const ast = parse(code, { ecmaVersion: "latest", sourceType: "module", ranges: true }) as AnyNode;
  const manager = eslintScope.analyze(ast, { ecmaVersion: 2022 as any, sourceType: "module" });
  const moduleScope = manager.globalScope!.childScopes.find((s: AnyNode) => s.type === "module");
  if (!moduleScope) return { code, released: [] };
  const callees = new Set<AnyNode>();
  simple(ast, {
    CallExpression(node: AnyNode) {
      if (node.callee.type === "Identifier") callees.add(node.callee);
    },
  });
  // Top-level function declarations, by their node.
  const candidates = new Map<AnyNode, AnyNode>();
  for (const variable of moduleScope.variables as AnyNode[]) {
    if (variable.defs.length === 1 && variable.defs[0].type === "FunctionName" && ast.body.includes(variable.defs[0].node)) {
      candidates.set(variable.defs[0].node, variable);
    }
  }
  /** The function (or the module scope) a reference runs in: its nearest enclosing function scope. */
  const runsIn = (scope: AnyNode): AnyNode => {
    let s = scope;
    while (s && s.type !== "function" && s.type !== "module") s = s.upper;
    return s;
  };
  let changed = true;
  // Functions first: a variable read directly in a released function's body is boot-only too.
  while (changed) {
    changed = false;
    for (const [node, variable] of candidates) {
      const ok = (variable.references as AnyNode[]).every((reference) => {
        if (!callees.has(reference.identifier)) return false;
        const scope = runsIn(reference.from);
        return scope === moduleScope || (scope && scope.type === "function" && candidates.has(scope.block) && scope.block !== node);
      });
      if (!ok) {
        candidates.delete(node);
        changed = true;
      }
    }
  }
  const released = [...candidates.values()].map((v: AnyNode) => v.name as string);
  // Top-level `var`s read only while the top level runs (the baked config, the plan, the
  // drivers table): the objects live on where the node keeps them, the names no longer hold
  // them. Any read from code that may run later keeps the name.
  for (const variable of moduleScope.variables as AnyNode[]) {
    if (variable.defs.length !== 1 || variable.defs[0].type !== "Variable" || variable.defs[0].parent.kind !== "var") continue;
    if (!ast.body.includes(variable.defs[0].parent)) continue;
    const boot = (variable.references as AnyNode[]).every((reference) => {
      const scope = runsIn(reference.from);
      return scope === moduleScope || (scope && scope.type === "function" && candidates.has(scope.block));
    });
    if (boot) released.push(variable.name);
  }
  if (released.length === 0) return { code, released };
  const tail = code.endsWith("\n") ? "" : "\n";
  return { code: `${code}${tail}${released.join("=")}=void 0;\n`, released };
}
