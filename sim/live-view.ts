// The terminal view of `npm start`: one row per node (status seen on <prefix>/<node>/status,
// last readings, messages, reconnects, buffered readings from diag, errors) and the last
// lines the nodes printed. On a TTY it redraws in place; otherwise (a pipe, CI, a log file)
// it prints plain lines as things happen, and a summary row per node when it changed.
import type { BoardConfig } from "../boards/schema";
import type { SimEvent } from "./cli";

export interface NodeView {
  id: string;
  kind: string;
  status: string;
  messages: number;
  /** `online` published again after the first, or diag's `reconnects`, whichever is larger. */
  reconnects: number;
  buffered: number | undefined;
  errors: number;
  lastError: string | undefined;
  readings: Map<string, string>;
  lastLine: string;
  /** A fleet this node belongs to (the demo fleet): shown as one summary line, not a row. */
  group?: string;
}

export interface Header {
  broker: string;
  subscribe: string;
  web?: string;
  mode: string;
  seed: number;
}

const IGNORED = new Set(["cmd", "set", "diag", "status"]);

/** Folds simulation events into one row per node. */
export class FleetState {
  readonly nodes: NodeView[] = [];
  readonly recent: string[] = [];
  messages = 0;
  time = 0;
  /** The simulator could not keep the schedule: a sentence for the view (see Simulation's overrun events). */
  overrun: string | undefined;
  private readonly byRoot = new Map<string, NodeView>();
  private readonly byTopic = new Map<string, { view: NodeView; kind: "status" | "diag" }>();
  private readonly byId = new Map<string, NodeView>();
  private readonly onlines = new Map<NodeView, number>();

  /** `groups`: node id -> the fleet it belongs to, for nodes shown as one summary line. */
  constructor(configs: BoardConfig[], groups: Record<string, string> = {}) {
    for (const config of configs) {
      const view: NodeView = { id: config.node, kind: config.board, status: "-", messages: 0, reconnects: 0, buffered: undefined, errors: 0, lastError: undefined, readings: new Map(), lastLine: "", group: groups[config.node] };
      const prefix = config.topicPrefix ?? "sensornode";
      const fill = (template: string) => template.split("{prefix}").join(prefix).split("{node}").join(config.node);
      this.nodes.push(view);
      this.byId.set(config.node, view);
      this.byRoot.set(`${prefix}/${config.node}/`, view);
      this.byTopic.set(fill(config.topics?.status ?? "{prefix}/{node}/status"), { view, kind: "status" });
      this.byTopic.set(fill(config.topics?.diag ?? "{prefix}/{node}/diag"), { view, kind: "diag" });
    }
  }

  /** Applies one event; returns a plain line worth printing (non-TTY mode), if any. */
  apply(event: SimEvent): string | undefined {
    this.time = Math.max(this.time, event.time);
    if (event.type === "sim" && event.what === "overrun") {
      this.overrun = event.phase === "begin" ? `OVERRUN: timers ${Math.round(Number(event.lag))} ms late` : `last overrun: up to ${Math.round(Number(event.maxLag))} ms late for ${clockText(Number(event.lagging))}`;
      return undefined;
    }
    if (event.type === "mqtt") return this.message(String(event.topic), String(event.payload), event.client as string | undefined);
    const view = event.node ? this.byId.get(event.node) : undefined;
    if (!view) return undefined;
    if (event.type === "log") {
      view.lastLine = String(event.text);
      if (/error|fail|uncaught/i.test(view.lastLine)) this.error(view, view.lastLine);
      // a fleet's nodes print the same lines many times over: they would bury the others
      if (view.group) return undefined;
      this.remember(`${view.id} | ${view.lastLine}`);
      return `${view.id} | ${view.lastLine}`;
    }
    if (event.type === "uncaught") {
      const text = `uncaught ${String(event.error ?? event.message ?? event.text ?? "")}`.trim();
      this.error(view, text);
      this.remember(`${view.id} ! ${text}`);
      return `${view.id} ! ${text}`;
    }
    if (event.type === "world" && !view.group) {
      // the simulated world acting on an input: someone opened the door, pressed the bell
      const text = `${view.id} ~ ${String(event.input)}: ${String(event.what)} for ${(Number(event.duration) / 1000).toFixed(1)} s`;
      this.remember(text);
      return text;
    }
    if (event.type === "boot") return `${view.id} ~ boot ${event.boot} (${String(event.reason)})`;
    if (event.type === "halt" && event.why !== "shutdown" && event.why !== "dispose") return `${view.id} ~ halt (${String(event.why)})`;
    return undefined;
  }

  private message(topic: string, payload: string, client: string | undefined): string | undefined {
    this.messages++;
    const exact = this.byTopic.get(topic);
    let view = exact?.view;
    if (!view) {
      for (let i = topic.indexOf("/"); i >= 0 && !view; i = topic.indexOf("/", i + 1)) view = this.byRoot.get(topic.slice(0, i + 1));
    }
    if (!view) return undefined;
    view.messages++;
    if (exact?.kind === "status") {
      // Every `online` after the first is a reconnect (the firmware publishes it after each CONNACK).
      if (payload === "online" && client !== undefined) this.onlines.set(view, (this.onlines.get(view) ?? 0) + 1);
      const changed = view.status !== payload;
      view.status = payload;
      view.reconnects = Math.max(view.reconnects, (this.onlines.get(view) ?? 1) - 1);
      return changed && !view.group ? `${view.id} status ${payload}` : undefined;
    }
    if (exact?.kind === "diag") {
      try {
        const diag = JSON.parse(payload) as { buffer?: number; reconnects?: number };
        if (typeof diag.buffer === "number") view.buffered = diag.buffer;
        if (typeof diag.reconnects === "number") view.reconnects = Math.max(view.reconnects, diag.reconnects);
      } catch {
        // not JSON: nothing to read from it
      }
      return undefined;
    }
    const root = [...this.byRoot.entries()].find(([, v]) => v === view)?.[0] ?? "";
    const key = topic.startsWith(root) ? topic.slice(root.length) : topic;
    const last = key.split("/").pop() ?? key;
    if (IGNORED.has(last)) return undefined;
    view.readings.delete(key);
    view.readings.set(key, payload.length > 24 ? `${payload.slice(0, 21)}...` : payload);
    return undefined;
  }

  /** The nodes shown as rows (not in a group), and each group's nodes. */
  layout(): { rows: NodeView[]; groups: [string, NodeView[]][] } {
    const groups = new Map<string, NodeView[]>();
    const rows: NodeView[] = [];
    for (const view of this.nodes) {
      if (!view.group) rows.push(view);
      else groups.set(view.group, [...(groups.get(view.group) ?? []), view]);
    }
    return { rows, groups: [...groups.entries()] };
  }

  private error(view: NodeView, text: string): void {
    view.errors++;
    view.lastError = text;
  }

  private remember(line: string): void {
    this.recent.push(line);
    if (this.recent.length > 50) this.recent.splice(0, this.recent.length - 50);
  }
}

/** One row of the plain-text summary / the table. */
export function summary(view: NodeView): string {
  const readings = [...view.readings.entries()].map(([k, v]) => `${k} ${v}`).join(", ");
  return `${view.id}: status ${view.status}, ${view.messages} message${view.messages === 1 ? "" : "s"}, ${view.reconnects} reconnect${view.reconnects === 1 ? "" : "s"}, buffered ${view.buffered ?? "-"}, errors ${view.errors}${readings ? `; ${readings}` : ""}`;
}

/**
 * One line for a fleet: how many nodes in each status, their messages, reconnects, errors and
 * buffered readings added up, and the range of each measurement's latest readings across the
 * nodes (for on/off inputs, how many are on).
 */
export function groupSummary(name: string, views: NodeView[]): string {
  const statuses = new Map<string, number>();
  let messages = 0;
  let reconnects = 0;
  let errors = 0;
  let buffered = 0;
  const ranges = new Map<string, { low: number; high: number; on: number; count: number }>();
  for (const view of views) {
    statuses.set(view.status, (statuses.get(view.status) ?? 0) + 1);
    messages += view.messages;
    reconnects += view.reconnects;
    errors += view.errors;
    buffered += view.buffered ?? 0;
    for (const [key, value] of view.readings) {
      // an input's state is named after the input (motion ON 2/20); a reading after its measurement
      const parts = key.split("/");
      const name = parts[parts.length - 1] === "state" ? parts[0]! : parts[parts.length - 1]!;
      const range = ranges.get(name) ?? { low: Infinity, high: -Infinity, on: 0, count: 0 };
      const number = Number(value);
      if (value === "ON" || value === "OFF") range.on += value === "ON" ? 1 : 0;
      else if (value !== "" && Number.isFinite(number)) {
        range.low = Math.min(range.low, number);
        range.high = Math.max(range.high, number);
      } else continue;
      range.count++;
      ranges.set(name, range);
    }
  }
  const status = [...statuses.entries()].map(([s, n]) => `${n} ${s === "-" ? "starting" : s}`).join(", ");
  const readings = [...ranges.entries()].map(([name, r]) => (r.low <= r.high ? `${name} ${r.low === r.high ? r.low : `${r.low}..${r.high}`}` : `${name} ON ${r.on}/${r.count}`));
  return `${name}: ${views.length} node${views.length === 1 ? "" : "s"} (${status}), ${messages} messages, ${reconnects} reconnects, buffered ${buffered}, errors ${errors}${readings.length ? `; ${readings.join(", ")}` : ""}`;
}

export function headerLines(header: Header, state: FleetState): string[] {
  const lines = [`sensornode simulator: ${state.nodes.length} node${state.nodes.length === 1 ? "" : "s"}, seed ${header.seed}, ${header.mode}`, `broker  ${header.broker}`, `watch   ${header.subscribe}`];
  if (header.web) lines.push(`web     ${header.web}`);
  return lines;
}

/** The whole screen for a TTY of `columns` x `rows`. */
export function renderFrame(header: Header, state: FleetState, columns: number, rows: number): string {
  const lines = headerLines(header, state);
  lines.push(`time    ${clockText(state.time)} simulated, ${state.messages} messages on the broker. Ctrl-C stops every node cleanly (they publish offline).`);
  if (state.overrun) lines.push(`        ${state.overrun}: this machine cannot keep every node's schedule at this speed`);
  lines.push("");
  const width = Math.max(4, ...state.nodes.map((n) => n.id.length));
  lines.push(`${"node".padEnd(width)}  ${"kind".padEnd(7)}  ${"status".padEnd(8)}  ${"msgs".padStart(6)}  ${"reconn".padStart(6)}  ${"buffered".padStart(8)}  ${"errors".padStart(6)}  last readings`);
  const room = Math.max(3, rows - lines.length - 9);
  // a fleet is one line under the rows (the demo fleet), not a row per node
  const { rows: nodes, groups } = state.layout();
  const shown = nodes.slice(0, Math.max(3, room - groups.length));
  for (const view of shown) {
    const readings = [...view.readings.entries()].reverse().map(([k, v]) => `${k} ${v}`).join("  ") || (view.lastError ? `! ${view.lastError}` : "");
    lines.push(
      `${view.id.padEnd(width)}  ${view.kind.padEnd(7)}  ${view.status.slice(0, 8).padEnd(8)}  ${String(view.messages).padStart(6)}  ${String(view.reconnects).padStart(6)}  ${String(view.buffered ?? "-").padStart(8)}  ${String(view.errors).padStart(6)}  ${readings}`,
    );
  }
  if (nodes.length > shown.length) lines.push(`... and ${nodes.length - shown.length} more nodes`);
  if (groups.length) lines.push("", ...groups.map(([name, views]) => groupSummary(name, views)));
  lines.push("", "last lines printed by the nodes:");
  const free = Math.max(1, rows - lines.length - 1);
  lines.push(...state.recent.slice(-free));
  return lines.map((line) => (line.length > columns ? `${line.slice(0, columns - 1)}…` : line)).join("\n");
}

export function clockText(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  const days = Math.floor(seconds / 86400);
  const hms = [Math.floor((seconds % 86400) / 3600), Math.floor((seconds % 3600) / 60), seconds % 60].map((n) => String(n).padStart(2, "0")).join(":");
  return days > 0 ? `${days}d ${hms}` : hms;
}

/** Redraws in place on a TTY (home, clear to end, frame); hides the cursor while it runs. */
export class TerminalView {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly stream: NodeJS.WriteStream,
    private readonly header: Header,
    private readonly state: FleetState,
  ) {}

  start(intervalMs = 500): void {
    this.stream.write("\x1b[?1049h\x1b[?25l");
    this.draw();
    this.timer = setInterval(() => this.draw(), intervalMs);
  }

  draw(): void {
    this.stream.write(`\x1b[H${renderFrame(this.header, this.state, this.stream.columns ?? 120, this.stream.rows ?? 40).replace(/\n/g, "\x1b[K\n")}\x1b[K\x1b[J`);
  }

  /** Leaves the alternate screen and prints the last frame on the normal one, so it stays visible. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.stream.write("\x1b[?25h\x1b[?1049l");
    this.stream.write(`${renderFrame(this.header, this.state, this.stream.columns ?? 120, this.stream.rows ?? 40)}\n`);
  }
}
