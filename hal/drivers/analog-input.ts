// An analog input with linear calibration: value = raw * scale + offset, raw being the ADC
// reading as a fraction 0..1 of full scale. A battery behind a 100k/100k divider on an
// ESP32 (3.3 V full scale at 11 dB attenuation) is scale 6.6; a capacitive soil probe
// reading 0.9 dry and 0.2 wet is scale -142.86, offset 128.57 (percent).
import { codedError } from "../errors";
import type { AnalogInput } from "../analog";
import type { Sensor } from "../sensor";

export interface AnalogInputOptions {
  input: AnalogInput;
  /** Name of the value in the sample (default "voltage"). */
  measurement?: string;
  scale?: number;
  offset?: number;
  /** Readings averaged per sample (1..64, default 1): ADC noise drops with the square root. */
  samples?: number;
  /** Clamp the calibrated value (e.g. 0 and 100 for a percentage). */
  min?: number;
  max?: number;
}

function isNumber(value: unknown): boolean {
  return typeof value === "number" && value === value && value !== Infinity && value !== -Infinity;
}

export class AnalogInputSensor implements Sensor<Record<string, number>> {
  input: AnalogInput;
  measurement: string;
  scale: number;
  offset: number;
  samples: number;
  min: number;
  max: number;

  constructor(options: AnalogInputOptions) {
    const samples = options.samples ?? 1;
    const min = options.min ?? -Infinity;
    const max = options.max ?? Infinity;
    const scale = options.scale ?? 1;
    const offset = options.offset ?? 0;
    const measurement = options.measurement ?? "voltage";
    if (!options.input || !isNumber(scale) || !isNumber(offset) || !(samples >= 1 && samples <= 64) || samples % 1 !== 0 || !(min <= max) || typeof measurement !== "string" || !measurement) {
      throw codedError("invalid-options", "analog-input: needs input, finite scale/offset, samples 1..64, min <= max, a measurement name");
    }
    this.input = options.input;
    this.measurement = measurement;
    this.scale = scale;
    this.offset = offset;
    this.samples = samples;
    this.min = min;
    this.max = max;
  }

  trigger(): number {
    return 0;
  }

  sample(): Record<string, number> {
    let sum = 0;
    for (let i = 0; i < this.samples; i++) sum += this.input.read();
    let value = (sum / this.samples) * this.scale + this.offset;
    value = value < this.min ? this.min : value > this.max ? this.max : value;
    const result: Record<string, number> = {};
    result[this.measurement] = value;
    return result;
  }

  close(): void {}
}

export function create(options: AnalogInputOptions): AnalogInputSensor {
  return new AnalogInputSensor(options);
}
