// "sensornode:plan" is generated per board by tools/build.ts from tools/plan.ts: resolved
// topics, measurements, and Home Assistant discovery messages, computed at build time.
// (A relative import inside `declare module` does not resolve: the type comes through
// import() from this file's folder instead.)
declare module "sensornode:plan" {
  export const plan: import("../tools/plan").FirmwarePlan;
  export const discoveryCount: number;
  /** [topic, payload] of discovery message i, built on demand so the strings live in code, not RAM. */
  export function discoveryMessage(i: number): [string, string] | undefined;
}
