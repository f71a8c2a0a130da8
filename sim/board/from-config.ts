// A VirtualBoard for a board file and its built bundle, with the file's hardware wired
// onto simulated devices (hardware.ts).
import type { BoardConfig } from "../../boards/schema";
import { VirtualBoard, type VirtualBoardOptions } from "./board";
import { wireHardware, type WiredHardware } from "./hardware";
import { RealClock } from "./scheduler";

export function boardFromConfig(config: BoardConfig, code: string, options: Omit<Partial<VirtualBoardOptions>, "code" | "kind" | "hardware"> = {}): { board: VirtualBoard; hardware: WiredHardware } {
  const clock = options.clock ?? new RealClock();
  const hardware = wireHardware(config, clock, options.seed ?? 1);
  const board = new VirtualBoard({ name: config.node, ...options, clock, code, kind: config.board, hardware });
  return { board, hardware };
}
