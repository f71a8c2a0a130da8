// The simulator's web page, served on the embedded broker's HTTP/WebSocket port: a static
// page (index.html) plus the browser builds of mqtt.js and uPlot from node_modules.
import fs from "node:fs";
import type http from "node:http";
import path from "node:path";
import { createRequire } from "node:module";

const here = path.dirname(new URL(import.meta.url).pathname);
const require = createRequire(import.meta.url);

function asset(resolve: () => string): string | undefined {
  try {
    return resolve();
  } catch {
    return undefined;
  }
}

const FILES: Record<string, { file: () => string | undefined; type: string }> = {
  "/": { file: () => path.join(here, "index.html"), type: "text/html; charset=utf-8" },
  "/mqtt.min.js": { file: () => asset(() => path.join(path.dirname(require.resolve("mqtt/package.json")), "dist", "mqtt.min.js")), type: "text/javascript" },
  "/uPlot.iife.min.js": { file: () => asset(() => path.join(path.dirname(require.resolve("uplot/package.json")), "dist", "uPlot.iife.min.js")), type: "text/javascript" },
  "/uPlot.min.css": { file: () => asset(() => path.join(path.dirname(require.resolve("uplot/package.json")), "dist", "uPlot.min.css")), type: "text/css" },
};

export function webHandler(): (request: http.IncomingMessage, response: http.ServerResponse) => void {
  return (request, response) => {
    const url = new URL(request.url ?? "/", "http://localhost");
    const entry = FILES[url.pathname === "/index.html" ? "/" : url.pathname];
    const file = entry?.file();
    if (!entry || !file || !fs.existsSync(file)) {
      response.writeHead(404, { "content-type": "text/plain" }).end("not found\n");
      return;
    }
    response.writeHead(200, { "content-type": entry.type, "cache-control": "no-store" });
    fs.createReadStream(file).pipe(response);
  };
}
