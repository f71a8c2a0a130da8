// Prints the minified size each driver (and each Espruino adapter) adds to a bundle.
// Run: npx tsx bench/driver-sizes.ts
//
// For every module: bundle a one-line entry that keeps its factory alive, minify it with
// esbuild the way a firmware bundle is minified (IIFE, no syntax lowering except class
// fields), and subtract the size of the same entry without the import. "alone" is what the
// driver costs in a bundle that has nothing else; "with HAL" is what it adds to a bundle that
// already holds the shared helpers every board has (errors, I2C register helpers, CRC-8, 1-Wire
// ROM parsing), i.e. what adding one more sensor type to a board costs.
import path from "node:path";
import zlib from "node:zlib";
import * as esbuild from "esbuild";

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");

const MODULES: { name: string; file: string; symbol: string }[] = [
  { name: "bme280 (+bmp280)", file: "hal/drivers/bme280.ts", symbol: "create" },
  { name: "bmp280 wrapper", file: "hal/drivers/bmp280.ts", symbol: "create" },
  { name: "sht3x", file: "hal/drivers/sht3x.ts", symbol: "create" },
  { name: "aht20", file: "hal/drivers/aht20.ts", symbol: "create" },
  { name: "bh1750", file: "hal/drivers/bh1750.ts", symbol: "create" },
  { name: "ds18b20", file: "hal/drivers/ds18b20.ts", symbol: "create" },
  { name: "digital-input", file: "hal/drivers/digital-input.ts", symbol: "create" },
  { name: "digital-output", file: "hal/drivers/digital-output.ts", symbol: "create" },
  { name: "analog-input", file: "hal/drivers/analog-input.ts", symbol: "create" },
  { name: "espruino/i2c", file: "hal/espruino/i2c.ts", symbol: "openI2C" },
  { name: "espruino/gpio", file: "hal/espruino/gpio.ts", symbol: "espruinoPin" },
  { name: "espruino/onewire", file: "hal/espruino/onewire.ts", symbol: "openOneWire" },
  { name: "espruino/clock", file: "hal/espruino/clock.ts", symbol: "espruinoClock" },
  { name: "espruino/platform (all adapters)", file: "hal/espruino/platform.ts", symbol: "createEspruinoPlatform" },
];

/** What every board's bundle holds anyway. */
const SHARED = [
  { file: "hal/errors.ts", symbol: "codedError" },
  { file: "hal/i2c.ts", symbol: "readRegisters" },
  { file: "hal/crc8.ts", symbol: "crc8Sensirion" },
  { file: "hal/crc8.ts", symbol: "crc8Dallas" },
  { file: "hal/onewire.ts", symbol: "romBytes" },
];

async function minified(imports: { file: string; symbol: string }[]): Promise<{ bytes: number; gzip: number }> {
  const lines = imports.map((m, i) => `import { ${m.symbol} as m${i} } from ${JSON.stringify(path.join(ROOT, m.file))};`);
  lines.push("declare const keep: (...values: unknown[]) => void;");
  lines.push(`keep(${imports.map((_m, i) => `m${i}`).join(", ")});`);
  const result = await esbuild.build({
    stdin: { contents: lines.join("\n"), loader: "ts", resolveDir: ROOT },
    bundle: true,
    write: false,
    minify: true,
    format: "iife",
    platform: "neutral",
    target: "esnext",
    supported: { "class-field": false, "class-static-field": false },
    legalComments: "none",
    charset: "ascii",
    logLevel: "silent",
    tsconfigRaw: { compilerOptions: { useDefineForClassFields: false, verbatimModuleSyntax: true } },
    // Espruino's own modules are not part of the bundle
    external: ["Storage"],
  });
  const code = result.outputFiles[0]!.text;
  return { bytes: Buffer.byteLength(code), gzip: zlib.gzipSync(code).length };
}

async function main(): Promise<void> {
  const empty = await minified([]);
  const shared = await minified(SHARED);
  const rows: string[][] = [["module", "alone (B)", "alone gzip (B)", "with HAL (B)"]];
  for (const m of MODULES) {
    const alone = await minified([m]);
    const withHal = await minified(SHARED.concat([m]));
    rows.push([m.name, String(alone.bytes - empty.bytes), String(alone.gzip - empty.gzip), String(withHal.bytes - shared.bytes)]);
  }
  rows.push(["shared HAL helpers", String(shared.bytes - empty.bytes), String(shared.gzip - empty.gzip), "-"]);
  const widths = rows[0]!.map((_c, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  console.log("Minified size each module adds to a bundle (esbuild --minify, IIFE, esnext, class fields lowered)");
  console.log(line(rows[0]!));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  rows.slice(1).forEach((r) => console.log(line(r)));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
