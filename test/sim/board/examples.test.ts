// Every example board's current bundle boots in a virtual board of its kind, with the
// board file's hardware wired, and prints its config summary.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { buildBoard, ROOT } from "../../../tools/build";
import { isBoardFile } from "../../../tools/config";
import { boardFromConfig } from "../../../sim/board/from-config";
import { SimClock } from "../../../sim/board/scheduler";

const outDir = fs.mkdtempSync(path.join(os.tmpdir(), "sensornode-board-"));
afterAll(() => fs.rmSync(outDir, { recursive: true, force: true }));

const boards = fs.readdirSync(path.join(ROOT, "boards")).filter(isBoardFile).map((f) => path.join(ROOT, "boards", f));

describe("example boards in the virtual board", () => {
  it("finds the example boards", () => {
    expect(boards.length).toBeGreaterThanOrEqual(3);
  });

  for (const file of boards) {
    it(`${path.basename(file)} boots and prints its config summary`, async () => {
      const built = await buildBoard(file, { env: { WIFI_PASSWORD: "x", MQTT_PASSWORD: "y" }, outDir });
      expect(built.errors, built.errors.join("\n")).toEqual([]);
      expect(built.ok).toBe(true);
      const code = fs.readFileSync(built.output!.file, "utf8");
      const clock = new SimClock();
      const { board } = boardFromConfig(built.config!, code, { clock, seed: 7 });
      board.start();
      clock.advance(60_000);
      const uncaught = board.events.filter((e) => e.type === "uncaught");
      expect(uncaught, JSON.stringify(uncaught)).toEqual([]);
      const config = built.config!;
      const first = board.log.find((l) => l.startsWith("sensornode "));
      expect(first).toMatch(new RegExp(`config ${built.configHash}: node ${config.node} on ${config.board}$`));
      expect(board.log.some((l) => l.startsWith("mqtt: "))).toBe(true);
      for (const sensor of config.sensors ?? []) expect(board.log.some((l) => l.startsWith(`sensor ${sensor.name}: ${sensor.type}`))).toBe(true);
      // secrets never reach the console
      expect(board.log.join("\n")).not.toMatch(/password (x|y)\b/);
    });
  }
});
