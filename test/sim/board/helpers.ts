// Small helpers for the virtual-board tests: a board on a SimClock from a hand-written bundle.
import { SimClock } from "../../../sim/board/scheduler";
import { VirtualBoard, type VirtualBoardOptions } from "../../../sim/board/board";

export function virtualBoard(code: string, options: Partial<VirtualBoardOptions> = {}): { board: VirtualBoard; clock: SimClock } {
  const clock = (options.clock as SimClock | undefined) ?? new SimClock();
  const board = new VirtualBoard({ kind: "ESP32", name: "test", ...options, code, clock });
  return { board, clock };
}

/** The board's printed lines, without the simulator's own hint lines. */
export function lines(board: VirtualBoard): string[] {
  return board.log.filter((l) => !l.startsWith("  (simulator:"));
}
