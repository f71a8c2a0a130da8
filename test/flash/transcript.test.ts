// The exchange of one flash, recorded on the simulated console, against the shape measured
// between the same EspruinoTools and the real Espruino 2v29 (Linux build, --telnet):
//   >> "\n"                                  << "\r\n>"
//   >> "\x10reset();\n"                      << banner ... "\r\n\r\n>"
//   >> "\x10print()\n" + upload + "\x10load()\n"   << "\r\n" ... "\r\x1b[J" + firmware output + ">"
// The transcript is also written to test-output/flash/transcript.log (readable, JSON-quoted).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, expect, it } from "vitest";
import { ROOT } from "../../tools/build";
import { flash } from "../../tools/flash";
import { SimulatedConsole } from "../../sim/console/server";

const sim = new SimulatedConsole();
afterAll(() => sim.close());

it("a flash over TCP: what the tools send and what the board answers", async () => {
  await sim.listen(0);
  const exchange: [">>" | "<<", string][] = [];
  sim.on("received", (data: string) => exchange.push([">>", data]));
  sim.on("sent", (data: string) => exchange.push(["<<", data]));
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "sensornode-transcript-"));
  // The fixture firmware prints the boot lines only (see flash.test.ts): the exchange is the subject.
  const entry = path.join(import.meta.dirname, "fixtures", "boot.ts");
  const result = await flash(path.join(ROOT, "boards", "rpi-lab.json"), { port: `tcp://127.0.0.1:${sim.port}`, outDir: out, entry }, { out: () => undefined, err: () => undefined });
  expect(result.code).toBe(0);

  const file = path.join(ROOT, "test-output", "flash", "transcript.log");
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${exchange.map(([who, data]) => `${who} ${JSON.stringify(data)}`).join("\n")}\n`);

  const sent = exchange.filter(([who]) => who === ">>").map(([, d]) => d).join("");
  const answered = exchange.filter(([who]) => who === "<<").map(([, d]) => d).join("");
  // Commands, in order; every code chunk is one Storage.write line of at most 1 KB of code.
  const commands = sent.split("\n").filter((l) => l !== "");
  expect(commands[0]).toBe("\x10reset();");
  expect(commands[1]).toBe("\x10print()");
  const writes = commands.slice(2, -1);
  expect(writes.length).toBe(Math.ceil(result.build!.output!.bytes / 1024));
  writes.forEach((w, i) => {
    expect(w[0]).toBe("\x10"); // echo off for the line
    expect(w.slice(1)).toMatch(i === 0 ? /^require\("Storage"\)\.write\("\.bootcde",".*",0,\d+\);$/ : /^require\("Storage"\)\.write\("\.bootcde",".*",\d+\);$/);
  });
  expect(commands.at(-1)).toBe("\x10load()");
  expect(sent.startsWith("\n\x10reset();\n")).toBe(true);
  expect(sent.endsWith("\x10load()\n\n")).toBe(true);

  // Answers: prompt, banner after reset(), the firmware's output after load().
  expect(answered.startsWith(">\r\n>\r\n ____")).toBe(true);
  expect(answered).toContain("http://espruino.com/Donate\r\n\r\n>");
  expect(answered).toContain(`\r\x1b[Jsensornode 0.1.0 config ${result.build!.configHash}: node lab-pi on LINUX\r\n`);
  expect(answered.endsWith(">")).toBe(true);
});
