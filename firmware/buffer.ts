// Store-and-forward: readings taken while MQTT is down wait here, in order, and drain at
// QoS 1 when the broker is back. Memory is the product, so a reading is not an object but
// one slot in parallel typed arrays: 8 (time) + 4 (value) + 2 (key) + 2 (sequence) bytes,
// about 1.4 JS variables per reading on an ESP8266 instead of ~6 for an object.
//
// Bounded: when full, the oldest reading is dropped and counted (the count is published
// in diag). `spill()` writes the contents to Storage (when full, before deep sleep);
// `restore()` reads them back after a reboot.
import type { Storage } from "../hal/storage";

export interface Reading {
  /** Index of the (sensor, measurement) pair in the node's key table. */
  key: number;
  value: number;
  /** Wall-clock ms when `timeValid`, else the monotonic clock's ms at capture (NaN: unknown). */
  time: number;
  timeValid: boolean;
  /** Per-node sequence number, 0..65535, wraps. */
  sequence: number;
}

/** The Storage file spill() appends to (firmware/forward.ts drains it directly, oldest first). */
export const SPILL_FILE = "sn-buffer";

export class ReadingBuffer {
  readonly capacity: number;
  private times: Float64Array;
  private values: Float32Array;
  /** Key index; the top bit says "time is wall-clock". */
  private keys: Uint16Array;
  private sequences: Uint16Array;
  private head: number;
  /** Readings held. A plain property, not a getter over a count: a getter is one more function object for the node's life. */
  length: number;
  /** Readings dropped because the buffer was full, since boot or the last reset. */
  dropped: number;

  constructor(capacity: number) {
    if (!(capacity > 0 && capacity <= 65535)) throw new Error("buffer capacity must be 1..65535");
    this.capacity = capacity;
    this.times = new Float64Array(capacity);
    this.values = new Float32Array(capacity);
    this.keys = new Uint16Array(capacity);
    this.sequences = new Uint16Array(capacity);
    this.head = 0;
    this.length = 0;
    this.dropped = 0;
  }

  /** Adds a reading; when full, the oldest is dropped (returns true when one was dropped). */
  push(reading: Reading): boolean {
    let dropped = false;
    if (this.length === this.capacity) {
      this.head = (this.head + 1) % this.capacity;
      this.length--;
      this.dropped++;
      dropped = true;
    }
    const slot = (this.head + this.length) % this.capacity;
    this.times[slot] = reading.time;
    this.values[slot] = reading.value;
    this.keys[slot] = (reading.key & 0x7fff) | (reading.timeValid ? 0x8000 : 0);
    this.sequences[slot] = reading.sequence & 0xffff;
    this.length++;
    return dropped;
  }

  /** The reading `index` places from the oldest (0: the oldest) without removing it, or undefined. */
  peek(index: number): Reading | undefined {
    if (index >= this.length) return undefined;
    return this.slotAt((this.head + index) % this.capacity);
  }

  /** Removes and returns the oldest reading. */
  shift(): Reading | undefined {
    const reading = this.peek(0);
    if (reading) {
      this.head = (this.head + 1) % this.capacity;
      this.length--;
    }
    return reading;
  }

  /**
   * Time became valid: readings stamped with the monotonic clock get wall-clock time
   * (wall = monotonic + offset). Called once, when SNTP first answers.
   */
  rebase(offset: number): void {
    for (let i = 0; i < this.length; i++) {
      const slot = (this.head + i) % this.capacity;
      // NaN: restored after a reboot with no wall time; no offset can date it any more.
      if (!(this.keys[slot]! & 0x8000) && this.times[slot] === this.times[slot]) {
        this.times[slot] = this.times[slot]! + offset;
        this.keys[slot] = this.keys[slot]! | 0x8000;
      }
    }
  }

  /**
   * Writes every reading to Storage and empties the buffer. Readings whose time is still
   * monotonic are kept but lose their time (a monotonic clock means nothing after reboot).
   */
  spill(storage: Storage): number {
    // Nothing to add: leave the file as it is (appending "" would add an empty line).
    if (this.length === 0) return 0;
    const lines: string[] = [];
    for (let i = 0; i < this.length; i++) {
      const slot = (this.head + i) % this.capacity;
      const valid = (this.keys[slot]! & 0x8000) !== 0;
      lines.push((this.keys[slot]! & 0x7fff) + "," + this.values[slot] + "," + (valid ? this.times[slot] : "") + "," + this.sequences[slot]);
    }
    const previous = storage.read(SPILL_FILE);
    storage.write(SPILL_FILE, (previous ? previous + "\n" : "") + lines.join("\n"));
    const spilled = this.length;
    this.head = 0;
    this.length = 0;
    return spilled;
  }

  /** Reads spilled readings back (oldest first) in front of anything taken since. */
  restore(storage: Storage): number {
    const text = storage.read(SPILL_FILE);
    if (!text) return 0;
    storage.erase(SPILL_FILE);
    const current: Reading[] = [];
    let reading = this.shift();
    while (reading) {
      current.push(reading);
      reading = this.shift();
    }
    let restored = 0;
    text.split("\n").forEach((line) => {
      const fields = line.split(",");
      if (fields.length !== 4) return;
      const valid = fields[2] !== "";
      this.push({ key: Number(fields[0]), value: Number(fields[1]), time: valid ? Number(fields[2]) : NaN, timeValid: valid, sequence: Number(fields[3]) });
      restored++;
    });
    current.forEach((r) => {
      this.push(r);
    });
    return restored;
  }

  private slotAt(slot: number): Reading {
    const key = this.keys[slot]!;
    return { key: key & 0x7fff, value: this.values[slot]!, time: this.times[slot]!, timeValid: (key & 0x8000) !== 0, sequence: this.sequences[slot]! };
  }
}
