// A digital pin. Times are milliseconds on the platform's Clock (the Espruino adapter
// converts setWatch's seconds).

export type PinMode = "input" | "input_pullup" | "input_pulldown" | "output" | "opendrain";
export type Edge = "rising" | "falling" | "both";

export interface PinEvent {
  /** Level after the edge (true = high). */
  state: boolean;
  /** When the (debounced) edge was reported, ms on the platform clock. */
  time: number;
  /** When the previous event on this watch was reported, ms (NaN for the first). */
  lastTime: number;
}

export interface WatchOptions {
  edge: Edge;
  /** Software debounce window in ms; 0 for none. */
  debounce: number;
}

export interface DigitalPin {
  read(): boolean;
  write(value: boolean): void;
  mode(mode: PinMode): void;
  /** Calls `callback` for every (debounced) edge until the returned function is called. */
  watch(callback: (event: PinEvent) => void, options: WatchOptions): () => void;
}
