// The simulator's web page (sim/web/index.html) in headless Chromium (Debian's `chromium`,
// driven by playwright-core): the real firmware of the example boards on virtual boards against the
// embedded broker, the page served on the broker's HTTP/WebSocket port. The page must show
// the node online with a live reading and a plot, then `offline` once the node shuts down
// cleanly. A screenshot of each state goes to test-output/ (git-ignored).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import mqtt from "mqtt";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Simulation, type SimEvent } from "../../../sim/cli";
import { buildFleet } from "../../../sim/fleet-build";
import { webHandler } from "../../../sim/web/serve";
import { ROOT } from "../../../tools/build";

const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
const OUTPUT = path.join(ROOT, "test-output");
const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

describe.skipIf(!fs.existsSync(CHROMIUM))("the web page in headless Chromium", () => {
  let simulation: Simulation;
  let running: Promise<void>;
  let context: BrowserContext;
  let page: Page;
  let profile: string;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    // every example board, so the screenshots show a small fleet; the assertions follow greenhouse
    const bundles = await buildFleet(["door.json", "greenhouse.json", "rpi-lab.json"].map((file) => path.join(ROOT, "boards", file)));
    // 10x real time: the node joins WiFi, connects and publishes its first readings within a second or two
    simulation = new Simulation(bundles, { seed: 7, speed: 10, http: webHandler() });
    const ready = new Promise<void>((resolve) => simulation.onEvent((e: SimEvent) => e.type === "sim" && e.what === "started" && resolve()));
    running = simulation.start();
    await ready;
    profile = fs.mkdtempSync(path.join(os.tmpdir(), "sensornode-chromium-"));
    // a fresh profile each run (playwright passes it as --user-data-dir)
    context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: ARGS, viewport: { width: 1200, height: 820 } });
    page = context.pages()[0] ?? (await context.newPage());
    page.on("pageerror", (error) => pageErrors.push(error.message));
    page.on("console", (message) => message.type() === "error" && pageErrors.push(message.text()));
  });

  afterAll(async () => {
    await context?.close();
    await simulation?.stop();
    await running?.catch(() => {});
    if (profile) fs.rmSync(profile, { recursive: true, force: true });
  });

  it("renders a live value and a plot, then the status change to offline", async () => {
    const broker = simulation.broker!;
    await page.goto(`http://${broker.host}:${broker.wsPort}/`);
    const row = page.locator('section[data-node="greenhouse"]');
    await expect.poll(() => row.locator(".status").textContent(), { timeout: 20_000 }).toBe("online");
    // a live reading in the table, and its plot drawn once a second value arrived
    const temperature = row.locator('[data-reading="air/temperature"] .value');
    await expect.poll(() => temperature.textContent(), { timeout: 20_000 }).toMatch(/^-?\d+(\.\d+)?\s*°C$/);
    const chart = page.locator('[data-series="greenhouse/air/temperature"]');
    await expect.poll(() => chart.getAttribute("data-points"), { timeout: 20_000 }).toMatch(/^([2-9]|\d\d+)$/);
    expect(await chart.locator("canvas").count()).toBe(1);
    expect(await page.locator("#state").textContent()).toMatch(/^connected to ws:\/\//);
    // the node's diag message (on request: it comes every 5 min otherwise) fills in its figures
    const commander = await mqtt.connectAsync(broker.url);
    await commander.publishAsync("sensornode/greenhouse/cmd", "diag");
    await commander.endAsync();
    await expect.poll(() => row.locator(".facts").textContent(), { timeout: 20_000 }).toMatch(/RSSI -\d+ dBm/);

    fs.mkdirSync(OUTPUT, { recursive: true });
    await page.screenshot({ path: path.join(OUTPUT, "web-page-online.png"), fullPage: true });

    // a clean shutdown: the firmware publishes offline (retained) before it disconnects
    simulation.nodes.find((node) => node.id === "greenhouse")!.board.shutdown();
    await expect.poll(() => row.locator(".status").textContent(), { timeout: 20_000 }).toBe("offline");
    expect(await row.getAttribute("class")).toContain("offline");
    // the others are not affected
    expect(await page.locator('section[data-node="front-door"] .status').textContent()).toBe("online");
    expect(await page.locator("#summary").textContent()).toBe("3 nodes: 2 online, 1 offline");
    await page.screenshot({ path: path.join(OUTPUT, "web-page-offline.png"), fullPage: true });
    expect(pageErrors).toEqual([]);
  });
});
