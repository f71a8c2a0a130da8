// Reconnect delays. Capped exponential backoff with "full jitter": the n-th consecutive
// failure waits a uniformly random time in [0, min(max, initial * 2^n)), so a fleet that
// lost its broker at the same moment does not come back at the same moment.
// Doubling by multiplication (Math.pow is inexact on Espruino).

/** Full-jitter delay for the `attempt`-th consecutive failure (0-based). */
export function backoffDelay(attempt: number, initial: number, max: number, random: () => number): number {
  let cap = initial;
  for (let i = 0; i < attempt && cap < max; i++) cap *= 2;
  if (cap > max) cap = max;
  return Math.floor(random() * cap);
}

/**
 * The long wait after a refusal that retrying soon cannot fix (bad credentials, not
 * authorised, a suspected duplicate client id): between half and all of `long`, never
 * near zero, so such a node cannot hammer the broker.
 */
export function longDelay(long: number, random: () => number): number {
  return Math.floor(long / 2 + (random() * long) / 2);
}
