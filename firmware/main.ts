// Espruino entry point: the only firmware file that wires hal/espruino/ (design.md §2).
// For now it logs the board's config summary; the node application grows here (issue 5).
import { config, configSummary } from "./config";

function boot(): void {
  const lines = configSummary(config);
  lines.forEach(function (line) {
    console.log(line);
  });
}

boot();
