// Filters as tables: input sequence (value, time) -> what gets published.
import { describe, expect, it } from "vitest";
import { MeasurementFilter, formatValue, type FilterConfig } from "../../firmware/filters";

function run(config: FilterConfig, inputs: [number, number][]): (number | undefined)[] {
  const filter = new MeasurementFilter(config);
  return inputs.map(([value, time]) => filter.update(value, time));
}

const at = (values: number[], step = 1000): [number, number][] => values.map((v, i) => [v, i * step]);

describe("MeasurementFilter", () => {
  it.each<[string, FilterConfig, [number, number][], (number | undefined)[]]>([
    ["passes values through with no filters", {}, at([1, 2, 3]), [1, 2, 3]],
    ["never publishes NaN or Infinity", {}, at([NaN, 1, Infinity, -Infinity]), [undefined, 1, undefined, undefined]],
    ["applies offset", { offset: -0.5 }, at([20, 21]), [19.5, 20.5]],
    ["applies linear calibration", { multiply: 2, offset: 1 }, at([0, 10]), [1, 21]],
    ["clamps", { min: 0, max: 100 }, at([-5, 50, 120]), [0, 50, 100]],
    ["takes the median of 3, removing a spike", { median: 3 }, at([10, 10, 99, 10, 11]), [10, 10, 10, 10, 11]],
    ["averages with an EMA over 3 (alpha 0.5)", { average: 3 }, at([0, 10, 10]), [0, 5, 7.5]],
    ["rounds to decimals", { decimals: 1 }, at([21.345, 21.35]), [21.3, 21.4]],
    ["throttles to one publish per 5 s", { throttle: 5000 }, at([1, 2, 3, 4, 5, 6, 7]), [1, undefined, undefined, undefined, undefined, 6, undefined]],
    ["publishes on change by at least delta", { delta: 0.5 }, at([20, 20.2, 20.4, 20.6, 20.7]), [20, undefined, undefined, 20.6, undefined]],
    ["publishes a heartbeat when nothing changes", { delta: 1, heartbeat: 3000 }, at([5, 5, 5, 5, 5]), [5, undefined, undefined, 5, undefined]],
    ["decides on the rounded value", { delta: 0.1, decimals: 1 }, at([20.01, 20.04, 20.16]), [20, undefined, 20.2]],
  ])("%s", (_name, config, inputs, expected) => {
    const out = run(config, inputs);
    expect(out.map((v) => (v === undefined ? v : Number(v.toFixed(6))))).toEqual(expected);
  });
});

describe("formatValue", () => {
  it.each([
    [21.5, 1, "21.5"],
    [21, 2, "21.00"],
    [0.1 + 0.2, undefined, "0.30000000000000004"],
    [NaN, 1, ""],
    [Infinity, undefined, ""],
  ])("%s with %s decimals is %j", (value, decimals, text) => {
    expect(formatValue(value, decimals)).toBe(text);
  });
});
