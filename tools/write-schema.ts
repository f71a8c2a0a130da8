// Writes boards/schema.json from boards/schema.ts (`npm run schema`). The tests fail when
// the committed file is out of date, so editors always check against the real schema.
import fs from "node:fs";
import path from "node:path";
import { boardJsonSchema } from "../boards/schema";
import { ROOT } from "./build";

export function schemaText(): string {
  return `${JSON.stringify(boardJsonSchema(), null, 2)}\n`;
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
  const file = path.join(ROOT, "boards", "schema.json");
  fs.writeFileSync(file, schemaText());
  console.log(`wrote ${path.relative(process.cwd(), file)}`);
}
