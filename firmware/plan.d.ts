// "sensornode:plan" is generated per board by tools/build.ts from tools/plan.ts: resolved
// topics, measurements, and Home Assistant discovery messages, computed at build time.
declare module "sensornode:plan" {
  import type { NodePlan } from "../tools/plan";
  export const plan: Omit<NodePlan, "discovery">;
  export const discoveryCount: number;
  /** [topic, payload] of discovery message i, built on demand so the strings live in code, not RAM. */
  export function discoveryMessage(i: number): [string, string] | undefined;
}
