// People around a node: PIR motion, door openings and button presses as seeded Poisson
// processes whose rate follows the hour of the day (quiet at night, busy in the morning and
// evening). The next event is drawn by thinning (Lewis & Shedler 1979): candidates at the
// peak rate, each kept with probability rate(t) / peak, so one timer is pending per input.
//
// The pin is driven the way the part is wired: what reads "on" is the pin level
// `!invert` (the node's own convention); a level equal to the pull resistor's is a contact
// that lets go (drive undefined), the other level is driven. So a door's reed contact to
// ground with a pull-up reads closed (low) while shut and open (pull-up, high) while open.
import type { Clock, TimerHandle } from "../../hal/clock";
import type { InputConfig } from "../../boards/schema";
import type { SimGpio } from "../devices/gpio";
import { Random } from "../devices/random";
import { solarHour } from "./signals";

/** Events per hour by hour of the day (solar), per kind. */
export const RATES: Record<string, number[]> = {
  //        0    1    2    3    4    5    6  7  8  9 10 11 12 13 14 15 16 17  18  19  20 21 22   23
  motion: [0.3, 0.2, 0.2, 0.2, 0.2, 0.5, 4, 8, 8, 3, 3, 3, 4, 3, 3, 3, 4, 8, 10, 10, 10, 8, 4, 1],
  door: [0.1, 0.05, 0.05, 0.05, 0.05, 0.1, 1, 3, 3, 1, 1, 1, 2, 1, 1, 1, 2, 3, 3, 2, 2, 1, 0.5, 0.2],
  button: [0.02, 0.02, 0.02, 0.02, 0.02, 0.02, 0.2, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.8, 0.8, 0.8, 0.5, 0.3, 0.1, 0.05],
};

export interface WorldEvent {
  input: string;
  kind: string;
  /** "motion" (PIR active), "open" (door), "press" (button). */
  what: string;
  /** How long it lasts, ms. */
  duration: number;
}

export interface InputsOptions {
  gpio: SimGpio;
  clock: Clock;
  /** Wall-clock ms at clock time 0 (for the hour of the day). */
  epoch: number;
  seed: number;
  longitude?: number;
  /** Told about every event as it begins (the event log). */
  record?: (event: WorldEvent) => void;
}

/** Starts the world's events on every input that has a kind; returns a stop function. */
export function driveInputs(inputs: InputConfig[], options: InputsOptions): () => void {
  const stops = inputs.filter((input) => input.kind && RATES[input.kind]).map((input, index) => driveInput(input, index, options));
  return () => stops.forEach((stop) => stop());
}

function driveInput(input: InputConfig, index: number, options: InputsOptions): () => void {
  const { gpio, clock } = options;
  const kind = input.kind!;
  const rates = RATES[kind]!;
  const peak = Math.max(...rates);
  const random = new Random((options.seed ^ Math.imul(index + 1, 0x9e3779b9)) >>> 0);
  const pull = input.pull === "down" ? false : input.pull === "none" ? undefined : true;
  const onLevel = !input.invert;
  const set = (on: boolean) => {
    const level = on ? onLevel : !onLevel;
    gpio.drive(input.pin, level === pull ? undefined : level);
  };
  let timer: TimerHandle | undefined;
  let stopped = false;
  set(false); // at rest before the firmware starts: door shut, nobody there, button up

  const next = () => {
    // thinning: candidate gaps at the peak rate, kept with probability rate(hour) / peak
    let at = clock.now();
    for (;;) {
      at += (-Math.log(1 - random.next()) / peak) * 3_600_000;
      const hour = Math.floor(solarHour(options.epoch + at, options.longitude));
      if (random.next() * peak < rates[hour]!) break;
    }
    timer = clock.setTimeout(() => fire(), Math.max(1, Math.round(at - clock.now())));
  };

  const fire = () => {
    if (stopped) return;
    let duration: number;
    if (kind === "motion") {
      // HC-SR501-style PIR: output held ~5 s after the last movement; someone moves about for a while
      duration = Math.round(5_000 - 30_000 * Math.log(1 - random.next()));
      set(true);
    } else if (kind === "door") {
      duration = Math.round(3_000 - 15_000 * Math.log(1 - random.next()));
      set(true);
    } else {
      // a press of 80-300 ms, one in six a long press; the contact bounces for ~3 ms as it closes
      const long = input.longPress !== undefined && random.next() < 1 / 6;
      duration = long ? input.longPress! + 300 + random.int(0, 700) : random.int(80, 300);
      // a contact that closes to the active level bounces; one wired the other way just lets go
      if (onLevel === pull) set(true);
      else gpio.bounce(input.pin, { count: 4, interval: 1, level: onLevel, settle: true });
    }
    options.record?.({ input: input.name, kind, what: kind === "motion" ? "motion" : kind === "door" ? "open" : "press", duration });
    timer = clock.setTimeout(() => {
      if (stopped) return;
      set(false);
      next();
    }, duration);
  };

  next();
  return () => {
    stopped = true;
    clock.clearTimeout(timer);
  };
}
