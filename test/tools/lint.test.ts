// The lint rules for the "runs but WRONG" column (design.md §3) fire on a fixture each and
// stay quiet on a fixture that does the same things the Espruino-safe way.
import fs from "node:fs";
import path from "node:path";
import { ESLint } from "eslint";
import { describe, expect, it } from "vitest";
import { ROOT } from "../../tools/build";

const dir = path.join(ROOT, "test/fixtures/lint");
const files = fs.readdirSync(dir).filter((f) => f.endsWith(".ts")).sort();

describe("dialect lint rules", async () => {
  const eslint = new ESLint({ cwd: ROOT, ignore: false });
  const results = await eslint.lintFiles(files.map((f) => path.join(dir, f)));

  it.each(files)("%s reports exactly what it expects", (file) => {
    const expected = /expect: (\S+)/.exec(fs.readFileSync(path.join(dir, file), "utf8"))![1];
    const result = results.find((r) => r.filePath.endsWith(`/${file}`))!;
    const rules = result.messages.map((m) => m.ruleId ?? m.message);
    if (expected === "nothing") expect(rules).toEqual([]);
    else expect(rules).toContain(expected);
  });
});
