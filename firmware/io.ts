// Digital inputs and outputs (issue 5 §4, §5). Inputs publish every debounced edge at once
// (retained ON/OFF on <prefix>/<node>/<input>/state; a long press as a non-retained ON on
// .../<input>/long). Outputs start in their configured state, follow ON/OFF/TOGGLE on
// <prefix>/<node>/<output>/set and echo the state retained. Input edges go through `edge`
// into the store-and-forward queue (firmware/forward.ts), so edges while MQTT is down are
// delivered in order after it; on connect the current state of every input joins the back
// of that queue (so the retained state ends up the current one) and every output's state is
// published again.
import type { Clock } from "../hal/clock";
import type { Platform } from "../hal/platform";
import type { InputConfig, OutputConfig } from "../boards/schema";
import type { Plan } from "./forward";
import type { MqttClient } from "./mqtt/client";
import { nothing } from "./nothing";

export interface Io {
  /** Queues the state of every input, publishes the state of every output (after CONNACK). */
  states(): void;
  /**
   * A message on an output's set topic: undefined if `topic` is not one, "" when done,
   * else what was wrong with the payload.
   */
  set(topic: string, text: string): string | undefined | void;
  /** Blinks outputs named like an LED; returns whether one was found (undefined: no outputs in this build). */
  identify(): boolean | void;
  stop(): void;
}

interface Switch {
  state: boolean;
  set(on: boolean): void;
  close(): void;
}

/** A driver, or undefined (logged) when it fails to construct. Called at boot only. */
function make(drivers: { [kind: string]: (options: any) => any }, kind: string, options: Record<string, unknown>, name: string, log: (message: string) => void): any {
  try {
    return drivers[kind]!(options);
  } catch (error) {
    log(kind + " " + name + " failed: " + (error as Error).message);
    return undefined;
  }
}

/**
 * Input `key`'s one callback for both driver events (each function costs ~6 variables on
 * an ESP8266): onChange passes the new state (a boolean), onLongPress the time (a number).
 * Made here so that it keeps only `edge` and `key` alive, not the board's input config.
 */
function reporter(edge: (key: number, value: number) => void, key: number): (state: boolean | number) => void {
  return function (state: boolean | number): void {
    edge(key, typeof state === "number" ? 2 : state ? 1 : 0);
  };
}

export function createIo(
  inputs: InputConfig[],
  outputs: OutputConfig[],
  plan: Plan,
  platform: Platform,
  drivers: { [kind: string]: (options: any) => any },
  clock: Clock,
  client: MqttClient,
  /** A value for key `key`: input i has key measurements + i; 1 ON, 0 OFF, 2 long press (see Forwarder.reading). */
  edge: (key: number, value: number) => void,
  log: (message: string) => void,
): Io {
  const first = plan.measurements.length;
  const watches: ({ state: boolean; close(): void } | undefined)[] = [];
  for (let i = 0; i < inputs.length; i++) {
    const c = inputs[i]!;
    const report = reporter(edge, first + i);
    watches.push(make(drivers, "input", {
      pin: platform.pin(c.pin),
      clock: clock,
      pull: c.pull,
      invert: c.invert,
      debounce: c.debounce,
      longPress: c.longPress,
      onChange: report,
      onLongPress: c.longPress ? report : undefined,
    }, c.name, log));
  }
  // Outputs are left out of boards without any (SENSORNODE_FEATURES.outputs).
  const switches: (Switch | undefined)[] = [];
  if (SENSORNODE_FEATURES.outputs) {
    for (let i = 0; i < outputs.length; i++) {
      const c = outputs[i]!;
      switches.push(make(drivers, "output", { pin: platform.pin(c.pin), initial: !!c.initial, invert: !!c.invert }, c.name, log));
    }
  }
  // The closures below keep this scope alive: not the board config's input and output lists.
  return ioOf(watches, switches, plan, clock, client, edge, first);
}

function ioOf(
  watches: ({ state: boolean; close(): void } | undefined)[],
  switches: (Switch | undefined)[],
  plan: Plan,
  clock: Clock,
  client: MqttClient,
  edge: (key: number, value: number) => void,
  first: number,
): Io {
  let blink: unknown;

  return {
    states: function (): void {
      watches.forEach(function (input, i) {
        if (input) edge(first + i, input.state ? 1 : 0);
      });
      switches.forEach(function (output, i) {
        if (output) client.publish(plan.outputs[i]!.topic, output.state ? "ON" : "OFF", 1, true);
      });
    },

    set: SENSORNODE_FEATURES.outputs ? function (topic: string, text: string): string | undefined {
      let index = -1;
      plan.outputs.forEach(function (output, i) {
        if (output.setTopic === topic) index = i;
      });
      if (index < 0) return undefined;
      const output = switches[index];
      if (!output) return "output " + plan.outputs[index]!.name + " is not available";
      const word = text.trim();
      // The words in the function's text (flash), not a module-level table (~17 variables).
      const on = word === "TOGGLE" ? !output.state : word === "ON" || word === "on" || word === "1" || word === "true" ? true : word === "OFF" || word === "off" || word === "0" || word === "false" ? false : undefined;
      if (on === undefined) return "output " + plan.outputs[index]!.name + ": payload must be ON, OFF or TOGGLE";
      output.set(on);
      if (client.connected()) client.publish(plan.outputs[index]!.topic, on ? "ON" : "OFF", 1, true);
      return "";
    } : nothing,

    identify: SENSORNODE_FEATURES.outputs ? function (): boolean {
      let found = false;
      switches.forEach(function (output, i) {
        if (!output || !/led|light|status/.test(plan.outputs[i]!.name) || blink !== undefined) return;
        found = true;
        const initial = output.state;
        let count = 0;
        const toggle = function (): void {
          count++;
          output.set(count % 2 === 1 ? !initial : initial);
          blink = count < 10 ? clock.setTimeout(toggle, 250) : undefined;
        };
        toggle();
      });
      return found;
    } : nothing,

    stop: function (): void {
      clock.clearTimeout(blink);
      watches.forEach(function (input) {
        if (input) input.close();
      });
    },
  };
}
