// The one shared no-op: what a callback or a left-out feature's function is when there is
// nothing to do. One function object for the whole firmware instead of an empty one per use
// (each costs ~4 variables on an ESP8266).
export function nothing(): void {}
