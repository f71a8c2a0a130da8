// Readings from filter to broker (issue 5 §2, §6): scale, filter, then publish now or keep.
//
// Order is the rule: every reading, and every input edge (door contact, button), joins the
// back of one queue, so every topic sees its values in the order they were taken and the
// retained value ends up the newest. The queue drains at QoS 1 a few messages at a time,
// only while the client holds fewer than `room` messages: output echoes, status, discovery
// and diag always find queue space.
//
// A reading leaves the queue only once the broker has it: what was handed to the client
// stays at the front of the queue, marked handed, until the client holds nothing
// unacknowledged (pending() === 0). So when the node must sleep (the awake budget), reboot
// or stop mid-drain, persist() writes the unacknowledged readings to Storage with the rest:
// at least once, never lost (a PUBACK that was on its way when the node slept means a
// duplicate on the next wake, which QoS 1 allows).
//
// Where readings wait: the RAM ring (firmware/buffer.ts); when it is full it spills to
// Storage, up to SPILL_LIMIT rings' worth; beyond that the oldest ring's worth in Storage is
// dropped (and counted) to make room, so what is lost is always the oldest. The spilled
// file is older than anything in RAM, so it drains first, line by line straight from the
// file: on Espruino Storage.read returns a string that stays in flash, and walking it with
// indexOf costs no RAM per line (a split("\n") of 256 lines would not fit an ESP8266).
import type { Clock } from "../hal/clock";
import type { Storage } from "../hal/storage";
import { ReadingBuffer, SPILL_FILE } from "./buffer";
import { MeasurementFilter, formatValue } from "./filters";
import type { MqttClient } from "./mqtt/client";
import type { FirmwarePlan } from "../tools/plan";
import { createWallTime, type WallTime } from "./time";

export type Plan = FirmwarePlan;

/** Storage holds at most this many rings' worth of spilled readings. */
const SPILL_LIMIT = 4;

export interface Forwarder {
  /**
   * A raw value from a driver (SI units) for measurement `key`; keys after the measurements
   * are inputs (key measurements + i for input i): 1 ON, 0 OFF (retained .../state), 2 a long
   * press (.../long ON). One entry point for both: a function object costs ~6 variables on an ESP8266.
   */
  reading(key: number, raw: number): void;
  /** Publishes waiting readings while the client has room (and drops the acknowledged ones); true while some remain. */
  pump(room: number): boolean;
  /** Readings waiting (RAM + Storage). */
  backlog(): number;
  /** Readings lost: ring overflow beyond what Storage could take, or no buffer at all. */
  dropped(): number;
  /** Everything waiting goes to Storage (before deep sleep). */
  persist(): void;
  /** The wall clock the readings are stamped with (valid once SNTP has answered). */
  time: WallTime;
}

/** Lines in a spill file (run at boot only: the build releases it afterwards). */
function lineCount(text: string | undefined): number {
  return text ? text.split("\n").length : 0;
}

/** Position just after `lines` more lines from `from` in `text` (text.length at the end). */
function skipLines(text: string, from: number, lines: number): number {
  let at = from;
  for (let i = 0; i < lines && at < text.length; i++) {
    const end = text.indexOf("\n", at);
    at = end < 0 ? text.length : end + 1;
  }
  return at;
}

export function createForwarder(plan: Plan, client: MqttClient, clock: Clock, storage: Storage, wall: () => number, log: (message: string) => void): Forwarder {
  const measurements = plan.measurements;
  const filters: (MeasurementFilter | undefined)[] = !SENSORNODE_FEATURES.filters ? [] : measurements.map(function (m) {
    return m.filter ? new MeasurementFilter(m.filter) : undefined;
  });
  const capacity = plan.bufferCapacity;
  const buffer = capacity > 0 ? new ReadingBuffer(capacity) : undefined;
  // Readings taken before SNTP answered get wall-clock time once it does.
  const time = createWallTime(clock, wall, function (offset: number) {
    if (buffer) buffer.rebase(offset);
    log("time valid");
  });
  let sequence = 0;
  let lost = 0;
  /** Lines in the spill file not yet acknowledged, and where the first one starts. */
  let spilled = lineCount(storage.read(SPILL_FILE));
  let offset = 0;
  /** Readings at the front of the file / of the ring handed to the client, not yet confirmed; where the file's next unhanded line starts. */
  let fileHanded = 0;
  let ramHanded = 0;
  let cursor = 0;
  /**
   * Rewrites the file without what was confirmed, and without the `drop` oldest lines not
   * handed to the client (those it holds will arrive: counting them lost would be wrong);
   * then appends the RAM ring to it. The ring is handed only once every file line is, so
   * its handed readings join the handed lines.
   */
  const flush = function (drop: number): void {
    if (drop > 0 || offset > 0) {
      const text = storage.read(SPILL_FILE) || "";
      let rest = text.substring(offset, cursor) + text.substring(skipLines(text, cursor, drop));
      if (rest.charAt(rest.length - 1) === "\n") rest = rest.substring(0, rest.length - 1);
      cursor -= offset;
      offset = 0;
      spilled -= drop;
      if (rest.length === 0) storage.erase(SPILL_FILE);
      else storage.write(SPILL_FILE, rest);
    }
    if (!buffer) return;
    spilled += buffer.spill(storage);
    if (ramHanded > 0) {
      fileHanded += ramHanded;
      ramHanded = 0;
      cursor = skipLines(storage.read(SPILL_FILE) || "", offset, fileHanded);
    }
  };

  const backlog = function (): number {
    return spilled + (buffer ? buffer.length : 0);
  };

  // False only when the client's queue is full: try again later. Anything else (sent,
  // queued, or refused for good) consumes the reading, so a bad one cannot block the rest.
  const send = function (key: number, value: number, at: number, timeValid: boolean, seq: number): boolean {
    const m = measurements[key];
    if (!m) {
      // Keys after the measurements are inputs, published as they are live (firmware/io.ts).
      const input = plan.inputs[key - measurements.length];
      if (!input) return true;
      const topic = input.topic;
      if (value === 2) return client.publish(topic.slice(0, topic.length - 5) + "long", "ON", 1, false) !== "queue-full";
      return client.publish(topic, value ? "ON" : "OFF", 1, true) !== "queue-full";
    }
    const text = formatValue(value, m.decimals);
    if (text === "") return true;
    let payload = text;
    if (plan.payload === "json") {
      payload =
        "{\"device\":" + JSON.stringify(plan.node) + ",\"sensor\":" + JSON.stringify(m.sensor) +
        ",\"measurement\":" + JSON.stringify(m.measurement) + ",\"value\":" + text + ",\"unit\":" + JSON.stringify(m.unit) +
        (timeValid ? ",\"timestamp\":" + JSON.stringify(new Date(at).toISOString()) : "") + ",\"seq\":" + seq + "}";
    }
    return client.publish(m.topic, payload, 1, plan.retain) !== "queue-full";
  };

  /** Stamps a value and queues it; with no buffer it goes now or is lost. */
  const record = function (key: number, value: number): void {
    const timeValid = time.valid();
    const at = timeValid ? time.now() : clock.now();
    sequence = (sequence + 1) & 0xffff;
    if (!buffer) {
      if (!client.connected() || !send(key, value, at, timeValid, sequence)) lost++;
      return;
    }
    if (buffer.length >= capacity) {
      try {
        let drop = 0;
        if (spilled >= capacity * SPILL_LIMIT) {
          // Storage is at its limit too: the oldest ring's worth goes, counted.
          const waiting = spilled - fileHanded;
          drop = capacity < waiting ? capacity : waiting;
        }
        flush(drop);
        lost += drop;
      } catch (error) {
        // Storage failed: the ring drops its oldest instead (counted by the buffer).
        log("spill failed: " + (error as Error).message);
      }
    }
    // A fresh object each time, freed as soon as push has copied it into the typed arrays: a
    // kept scratch object would be ~9 variables for the node's life.
    if (buffer.push({ key: key, value: value, time: at, timeValid: timeValid, sequence: sequence }) && ramHanded > 0) ramHanded--;
  };

  return {
    reading: function (key: number, raw: number): void {
      const m = measurements[key];
      if (!m) {
        if (plan.inputs[key - measurements.length]) record(key, raw);
        return;
      }
      let value: number | undefined = raw * m.scale;
      const filter = filters[key];
      if (filter) value = filter.update(value, clock.now());
      // Never NaN or Infinity as a number (issue 5 §2).
      if (value === undefined || !(value > -Infinity && value < Infinity)) return;
      record(key, value);
    },

    pump: function (room: number): boolean {
      if (fileHanded + ramHanded > 0 && client.pending() === 0) {
        // The client holds nothing unacknowledged: everything handed to it reached the broker.
        if (fileHanded > 0) {
          spilled -= fileHanded;
          offset = cursor;
          fileHanded = 0;
          if (spilled <= 0) {
            spilled = 0;
            storage.erase(SPILL_FILE);
            offset = 0;
            cursor = 0;
          }
        }
        for (; ramHanded > 0; ramHanded--) buffer!.shift();
      }
      const text = spilled > fileHanded ? storage.read(SPILL_FILE) || "" : "";
      while (client.connected() && client.pending() < room) {
        if (spilled > fileHanded) {
          if (cursor >= text.length) {
            // The file ended early (written by an older firmware, or damaged): forget the rest.
            spilled = fileHanded;
            if (spilled === 0) {
              storage.erase(SPILL_FILE);
              offset = 0;
              cursor = 0;
            }
            continue;
          }
          const end = text.indexOf("\n", cursor);
          // The format of ReadingBuffer.spill: key,value,time,sequence (time empty: unknown).
          const fields = text.substring(cursor, end < 0 ? text.length : end).split(",");
          if (fields.length === 4 && !send(Number(fields[0]), Number(fields[1]), Number(fields[2]), fields[2] !== "", Number(fields[3]))) break;
          cursor = end < 0 ? text.length : end + 1;
          fileHanded++;
        } else if (buffer && buffer.length > ramHanded) {
          // The ring once every file line is handed: a spill then finds the handed readings in front.
          const r = buffer.peek(ramHanded)!;
          if (!send(r.key, r.value, r.time, r.timeValid, r.sequence)) break;
          ramHanded++;
        } else break;
      }
      return backlog() > 0;
    },

    backlog: backlog,

    dropped: function (): number {
      return lost + (buffer ? buffer.dropped : 0);
    },

    persist: function (): void {
      // Rebases what waits first, if SNTP answered since the last reading (a spilled
      // reading without wall time can never be dated after a reboot).
      time.valid();
      try {
        // What was sent leaves the file, or the next boot would send it again.
        flush(0);
      } catch (error) {
        log("persist failed: " + (error as Error).message);
      }
    },

    time: time,
  };
}
