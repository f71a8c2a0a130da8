// Prints the size of the MQTT client as the board gets it: esbuild bundle, minified with
// the Espruino feature set (tools/build.ts), then gzip -9 for comparison. Also runs the
// dialect gate on each bundle. A script, not a test:  npx tsx bench/mqtt-size.ts
import * as esbuild from "esbuild";
import * as path from "node:path";
import * as zlib from "node:zlib";
import { ESPRUINO_SUPPORTED, ROOT } from "../tools/build";
import { checkDialect } from "../tools/gate";

const CASES: { name: string; entry: string }[] = [
  { name: "client alone (createClient + the codec it uses)", entry: `export { createClient } from "./firmware/mqtt/client";` },
  {
    name: "client + Espruino transport (hal/espruino/net.ts)",
    entry: `export { createClient } from "./firmware/mqtt/client"; export { espruinoTransport } from "./hal/espruino/net";`,
  },
  {
    name: "whole codec, both directions (tests/simulator only)",
    entry: `export { encodePacket } from "./firmware/mqtt/encode"; export { decodePacket } from "./firmware/mqtt/decode"; export { createFramer } from "./firmware/mqtt/framer";`,
  },
];

async function measure(entry: string) {
  const bundled = await esbuild.build({
    stdin: { contents: entry, resolveDir: ROOT, loader: "ts" },
    bundle: true,
    write: false,
    metafile: true,
    format: "esm",
    platform: "neutral",
    target: "esnext",
    supported: { "class-field": false },
    tsconfigRaw: { compilerOptions: { useDefineForClassFields: false, verbatimModuleSyntax: true } },
    legalComments: "none",
    logLevel: "silent",
  });
  const code = bundled.outputFiles[0]!.text;
  const minified = await esbuild.transform(code, { minify: true, target: "esnext", supported: ESPRUINO_SUPPORTED, legalComments: "none", charset: "ascii", format: "esm" });
  // The gate reads a script, as the board's bundle is one: drop the trailing export clause.
  const script = minified.code.replace(/export\s*\{[^}]*\};?\s*$/, "");
  const output = Object.values(bundled.metafile.outputs)[0]!;
  return {
    bytes: Buffer.byteLength(minified.code),
    gzip: zlib.gzipSync(minified.code, { level: 9 }).length,
    unminified: Buffer.byteLength(code),
    violations: checkDialect(script),
    modules: Object.entries(output.inputs)
      .map(([file, info]) => ({ file: path.relative(ROOT, path.resolve(ROOT, file)), bytes: info.bytesInOutput }))
      .sort((a, b) => b.bytes - a.bytes),
  };
}

const pad = (text: string | number, width: number) => String(text).padStart(width);
console.log(`${"bundle".padEnd(56)}${pad("minified", 10)}${pad("gzip -9", 10)}${pad("readable", 10)}  gate`);
for (const c of CASES) {
  const m = await measure(c.entry);
  console.log(`${c.name.padEnd(56)}${pad(m.bytes, 10)}${pad(m.gzip, 10)}${pad(m.unminified, 10)}  ${m.violations.length === 0 ? "ok" : m.violations.map((v) => `${v.rule}: ${v.message}`).join("; ")}`);
  if (c === CASES[0]) {
    for (const module of m.modules) console.log(`    ${module.file.padEnd(50)}${pad(module.bytes, 8)} bytes before minifying`);
  }
}
