// Measures a board's firmware on a real Espruino interpreter for Linux: the bundle is written
// into Storage ".bootcde" in 1 KB chunks (as `sensornode flash` does), then load() boots it
// and process.memory() is printed 0.1, 1, 3 and 6 s later.
//
//   npx tsx bench/espruino-memory.ts --bin /path/to/espruino boards/door.json
//
// Not part of `npm run bench` or the tests: it needs an Espruino binary built outside this
// repo (none is shipped or built here). A 32-bit build with 1,700 variables of 12 bytes is
// the ESP8266 memory model. The Linux build has no Wifi module and no NodeMCU pins: a
// `.boot0` file (run before .bootcde at every boot) stands in for both, so the firmware
// gets past WiFi to MQTT (which then fails without a broker at the board's address: that is
// fine, the point is memory) and resolves its pins. The stand-ins cost a few variables,
// counted in the figures.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { spawn } from "node:child_process";
import { buildBoard } from "../tools/build";

const CHUNK = 1024;

const WIFI_STANDIN =
  "var h={};exports.on=function(e,f){h[e]=f};" +
  "exports.connect=function(s,o,cb){setTimeout(function(){cb();if(h.connected)h.connected({})},200)};" +
  "exports.getDetails=function(){return {rssi:-60}};exports.setSNTP=function(){};";

const MEMORY_PRINTS =
  "var M=function(t){setTimeout(function(){var m=process.memory();print('MEM t='+t+' free='+m.free+' usage='+m.usage+' total='+m.total)},t)};" +
  "M(100);M(1000);M(3000);M(6000);";

/** Runs the interpreter on `file` in `cwd` (its flash file lives there) until `until` is printed or `ms` pass. */
function run(bin: string, cwd: string, file: string, until: RegExp | undefined, ms: number): Promise<string> {
  return new Promise((resolve) => {
    // stdin stays open: at end of input the interpreter spins on its console.
    const child = spawn(bin, [file], { cwd, stdio: ["pipe", "pipe", "pipe"] });
    let out = "";
    const finish = () => {
      clearTimeout(timer);
      child.kill("SIGKILL");
      resolve(out);
    };
    const timer = setTimeout(finish, ms);
    const take = (data: Buffer) => {
      out += data.toString("latin1");
      if (until && until.test(out)) finish();
    };
    child.stdout.on("data", take);
    child.stderr.on("data", take);
  });
}

async function measure(bin: string, board: string): Promise<void> {
  const result = await buildBoard(board, { write: false, env: { WIFI_PASSWORD: "x", MQTT_PASSWORD: "y", ...process.env } });
  if (!result.ok) throw new Error(`${board}: build failed: ${[...result.errors, ...result.violations.map((v) => v.message)].join("; ")}`);
  const code = result.output!.code;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sensornode-espruino-"));
  try {
    for (let offset = 0, i = 0; offset < code.length; offset += CHUNK, i++) {
      const first = offset === 0;
      const write = `require("Storage").write(".bootcde",${JSON.stringify(code.slice(offset, offset + CHUNK))},${offset}${first ? "," + code.length : ""});`;
      const file = path.join(dir, `chunk${i}.js`);
      fs.writeFileSync(file, `${first ? 'require("Storage").eraseAll();' : ""}${write}print("CHUNK-DONE");\n`);
      const out = await run(bin, dir, file, /CHUNK-DONE/, 5000);
      if (!/CHUNK-DONE/.test(out)) throw new Error(`${board}: writing chunk ${i} failed:\n${out}`);
    }
    const pins = (result.config!.board === "ESP8266" ? ["D1", "D2", "D3", "D4", "D5", "D6", "D7"] : []).map((p) => `${p}:${p}`).join(",");
    const boot0 = `global.NodeMCU={${pins}};Modules.addCached("Wifi",${JSON.stringify(WIFI_STANDIN)});${MEMORY_PRINTS}`;
    const setup = path.join(dir, "setup.js");
    fs.writeFileSync(setup, `require("Storage").write(".boot0",${JSON.stringify(boot0)});print("SETUP-DONE");\n`);
    await run(bin, dir, setup, /SETUP-DONE/, 5000);
    const boot = path.join(dir, "boot.js");
    fs.writeFileSync(boot, 'print("STORED "+require("Storage").read(".bootcde").length);load();\n');
    const out = (await run(bin, dir, boot, /MEM t=6000[^\n]*\n/, 12000)).replace(/\r/g, "");
    const after = out.slice(out.indexOf("STORED"));
    const memory = after.split("\n").filter((l) => /MEM t=/.test(l)).map((l) => l.replace(/^.*MEM /, ""));
    const oom = /OUT OF MEMORY|LOW_MEMORY/.test(after);
    console.log(`${path.basename(board)} (${result.config!.board}, ${code.length.toLocaleString("en-US")} bytes, estimate ${result.memory!.fromFlash.toLocaleString("en-US")} variables) on ${path.basename(bin)}:`);
    console.log(oom ? "  OUT OF MEMORY while booting" : "  booted without running out of memory");
    for (const line of memory) console.log(`  ${line}`);
    const errors = after.split("\n").filter((l) => /Uncaught|Error/.test(l)).slice(0, 5);
    for (const line of errors) console.log(`  ! ${line.trim().slice(0, 160)}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const args = process.argv.slice(2);
const binIndex = args.indexOf("--bin");
const bin = binIndex >= 0 ? args[binIndex + 1] : process.env.ESPRUINO_BIN;
const boards = args.filter((a, i) => a !== "--bin" && i !== binIndex + 1);
if (!bin || boards.length === 0 || args.includes("--help")) {
  console.log("usage: npx tsx bench/espruino-memory.ts --bin <espruino for Linux> boards/<node>.json ...");
  console.log("  --bin   an Espruino interpreter built for Linux (or ESPRUINO_BIN); built outside this repo");
  console.log("  boards  board files to build and measure (secrets default to placeholders)");
  process.exit(bin || args.includes("--help") ? 0 : 2);
}
for (const board of boards) await measure(bin, board);
