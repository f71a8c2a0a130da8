// Lint: general TypeScript hygiene everywhere, plus the Espruino dialect in firmware/ and hal/.
// The dialect gate (tools/gate.ts) checks the built bundle; these rules catch the
// "runs but WRONG" column of design.md §3 in the source, where the gate cannot see intent.
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import noInheritedStatic from "./tools/eslint/no-inherited-static.js";
import noLoopClosure from "./tools/eslint/no-loop-closure.js";

const dialectSyntax = [
  { selector: "ObjectPattern", message: "Destructuring fails on Espruino (ReferenceError at run time)." },
  { selector: "ArrayPattern", message: "Destructuring fails on Espruino (ReferenceError at run time)." },
  { selector: "AssignmentPattern", message: "Default parameters fail on Espruino." },
  { selector: "RestElement", message: "Rest parameters fail on Espruino." },
  { selector: "SpreadElement", message: "Spread fails on Espruino." },
  { selector: "ChainExpression", message: "`?.` fails on Espruino." },
  { selector: "BinaryExpression[operator='**']", message: "`**` fails on Espruino and Math.pow is inexact there: use shifts or literals." },
  { selector: "AssignmentExpression[operator=/^(\\|\\||&&|\\?\\?|\\*\\*)=$/]", message: "Logical and exponent assignment fail on Espruino." },
  { selector: ":function[async=true]", message: "async/await fails on Espruino." },
  { selector: ":function[generator=true]", message: "Generators fail on Espruino." },
  { selector: "Property[computed=true]", message: "Computed keys fail on Espruino." },
  { selector: "LabeledStatement", message: "Labels fail on Espruino." },
  { selector: "PrivateIdentifier", message: "#private fails on Espruino." },
  { selector: "TaggedTemplateExpression", message: "Tagged templates fail on Espruino." },
  { selector: "PropertyDefinition > ArrowFunctionExpression.value", message: "Arrow-function class fields lose `this` on Espruino: assign in the constructor." },
  { selector: "PropertyDefinition ThisExpression", message: "Class-field initialisers that use `this` are wrong on Espruino: assign in the constructor." },
  { selector: "ClassDeclaration[superClass.name=/^(Error|TypeError|RangeError|Array|Uint8Array|Promise)$/]", message: "`extends` of a built-in is broken on Espruino: see hal/errors.ts codedError." },
  { selector: "MemberExpression[object.object.name='Array'][object.property.name='prototype']", message: "Array.prototype.<x> is undefined on Espruino: use [].<x>." },
];

export default tseslint.config(
  { ignores: ["node_modules/", "dist/", "test-output/", "test/fixtures/", "bench/results/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      "@typescript-eslint/no-explicit-any": "off",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  { files: ["**/*.js"], ...tseslint.configs.disableTypeChecked },
  { files: ["bin/**/*.js", "tools/**/*.js", "*.js"], languageOptions: { globals: { process: "readonly", console: "readonly" } } },
  {
    files: ["firmware/**/*.ts", "hal/**/*.ts", "test/fixtures/lint/**/*.ts"],
    plugins: { espruino: { rules: { "no-inherited-static": noInheritedStatic, "no-loop-closure": noLoopClosure } } },
    rules: {
      "no-loop-func": "error",
      "no-use-before-define": "off",
      // functions: false — a call from inside another function runs later and is fine on Espruino (mutual
      // recursion needs it); a same-scope call before the declaration is caught by the dialect gate.
      "@typescript-eslint/no-use-before-define": ["error", { functions: false, classes: true, variables: true, typedefs: false, ignoreTypeReferences: true }],
      "no-restricted-syntax": ["error", ...dialectSyntax],
      "no-restricted-globals": [
        "error",
        ...["Map", "Set", "WeakMap", "WeakSet", "Symbol", "Proxy", "Reflect", "Buffer", "TextEncoder", "TextDecoder", "globalThis", "queueMicrotask", "structuredClone"].map((name) => ({
          name,
          message: `${name} does not exist on Espruino.`,
        })),
      ],
      "no-restricted-properties": [
        "error",
        ...[
          ["Array", "from"], ["Array", "of"], ["Number", "isFinite"], ["Number", "isInteger"], ["Math", "trunc"],
          ["Math", "log2"], ["Math", "hypot"], ["Object", "freeze"], ["Promise", "race"], ["Promise", "allSettled"], ["Math", "pow"],
        ].map(([object, property]) => ({ object, property, message: `${object}.${property} is missing or inexact on Espruino 2v29.` })),
      ],
      "no-restricted-imports": [
        "error",
        {
          paths: ["fs", "path", "net", "tls", "os", "events", "buffer", "stream", "util", "crypto", "child_process"].map((name) => ({ name, message: "firmware/ and hal/ run on Espruino: no Node modules." })),
          patterns: [{ group: ["node:*", "**/sim/**", "../sim/*", "../../sim/*"], message: "firmware/ and hal/ run on Espruino: no Node modules, no sim/." }],
        },
      ],
      "espruino/no-inherited-static": "error",
      "espruino/no-loop-closure": "error",
    },
  },
);
