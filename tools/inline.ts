// Inlines the bundle's top-level constants before the board's bundle is minified.
//
// esbuild's bundler turns every top-level `const` into `var` (`var CONNECT = 1;`), and its
// minifier does not inline a `var`. On Espruino each of those is a variable alive for the
// node's whole life (a string one more per ~10 characters): the door board had 49 of them
// (MQTT packet types, flags, timer constants, file names). A top-level binding whose only
// write is a literal initialiser is replaced by that literal wherever it is read, and its
// declaration is dropped.
import { parse } from "acorn";
import { simple } from "acorn-walk";
import * as eslintScope from "eslint-scope";

type AnyNode = any;

/** `code` is a module body (no import/export): the unwrapped bundle. */
export function inlineConstants(code: string): { code: string; inlined: string[] } {
  const ast = parse(code, { ecmaVersion: "latest", sourceType: "module", ranges: true }) as AnyNode;
  const manager = eslintScope.analyze(ast, { ecmaVersion: 2022 as any, sourceType: "module" });
  const moduleScope = manager.globalScope!.childScopes.find((s: AnyNode) => s.type === "module");
  if (!moduleScope) return { code, inlined: [] };
  // Shorthand properties `{ name }` must become `{ name: value }`.
  const shorthand = new Set<number>();
  simple(ast, {
    Property(node: AnyNode) {
      if (node.shorthand) shorthand.add(node.value.start);
    },
  });
  const edits: { start: number; end: number; text: string }[] = [];
  const inlined: string[] = [];
  for (const variable of moduleScope.variables as AnyNode[]) {
    if (variable.defs.length !== 1) continue;
    const def = variable.defs[0];
    if (def.type !== "Variable") continue;
    const declaration = def.parent;
    const init = def.node.init;
    if (!init || init.type !== "Literal" || init.regex || declaration.declarations.length !== 1) continue;
    if (!["number", "string", "boolean"].includes(typeof init.value)) continue;
    // Only a statement of the module body itself (not a `for (var ...)` head).
    if (!ast.body.includes(declaration)) continue;
    const reads = variable.references.filter((r: AnyNode) => !r.init);
    if (reads.some((r: AnyNode) => r.isWrite())) continue;
    const text = init.raw as string;
    for (const reference of reads) {
      const id = reference.identifier;
      edits.push({ start: id.start, end: id.end, text: shorthand.has(id.start) ? `${id.name}: ${text}` : text });
    }
    edits.push({ start: declaration.start, end: declaration.end, text: "" });
    inlined.push(variable.name);
  }
  edits.sort((a, b) => b.start - a.start);
  let out = code;
  for (const edit of edits) out = out.slice(0, edit.start) + edit.text + out.slice(edit.end);
  return { code: out, inlined };
}
