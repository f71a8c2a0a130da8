// Figure 3 (issue 8 item 4): accelerated time. Wall seconds the simulator needs for a stretch
// of simulated time in --virtual mode (event-driven: the clock jumps from one timer to the
// next), through the library API that `sensornode sim --virtual --duration` uses
// (sim/cli.ts Simulation), against the embedded aedes broker. The baseline is real time.
//
// Bounded: a run stops at its simulated duration; the 100-node run simulates a shorter
// stretch and the 24 h figure is extrapolated from it (marked so in the table).
import { Simulation } from "../sim/cli";
import { buildFleet } from "../sim/fleet-build";

export interface AcceleratedRow {
  board: string;
  nodes: number;
  /** Simulated ms actually run. */
  simulated: number;
  wallSeconds: number;
  /** Wall seconds for 24 h, measured or extrapolated linearly. */
  wallFor24h: number;
  extrapolated: boolean;
  messages: number;
  rssMiB: number;
  /** CPU seconds (user + system, all threads of this process) over the same stretch. */
  cpuSeconds: number;
}

const DAY = 86_400_000;

export async function measureAccelerated(board: string, nodes: number | undefined, simulated: number): Promise<AcceleratedRow> {
  const bundles = await buildFleet([board], { nodes });
  const simulation = new Simulation(bundles, { virtual: true, duration: simulated });
  let messages = 0;
  simulation.onEvent((event) => {
    if (event.type === "mqtt") messages++;
  });
  const start = performance.now();
  const cpu = process.cpuUsage();
  let rss = 0;
  const sampler = setInterval(() => (rss = Math.max(rss, process.memoryUsage().rss)), 500);
  try {
    await simulation.start();
  } finally {
    clearInterval(sampler);
  }
  const wallSeconds = (performance.now() - start) / 1000;
  const used = process.cpuUsage(cpu);
  rss = Math.max(rss, process.memoryUsage().rss);
  await simulation.stop();
  return {
    board,
    nodes: bundles.length,
    simulated,
    wallSeconds,
    wallFor24h: (wallSeconds * DAY) / simulated,
    extrapolated: simulated !== DAY,
    messages,
    rssMiB: rss / 2 ** 20,
    cpuSeconds: (used.user + used.system) / 1e6,
  };
}
