// The environment model as tables: the daily temperature curve has its minimum near sunrise
// and its maximum mid-afternoon, humidity moves against temperature, pressure stays in the
// range of real weather and moves slowly, the light follows the sun (dark at night, sunrise
// and sunset where astronomy puts them), a part's errors match its datasheet, and every
// value is a function of the seed and the instant only.
import { describe, expect, it } from "vitest";
import {
  clearSkyIlluminance,
  conditions,
  dailyShape,
  outdoorIlluminance,
  relativeHumidity,
  seaLevelPressure,
  stationPressure,
  sunElevation,
  type Location,
  type Place,
} from "../../../sim/environment/signals";
import { partReading, SENSOR_ERRORS } from "../../../sim/environment/sensors";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const SEEDS = [1, 2, 3, 42, 1234, 99_999];
const place = (seed: number, location: Location = "outdoor"): Place => ({ site: { seed }, location, seed: seed + 7 });

function correlation(a: number[], b: number[]): number {
  const mean = (x: number[]) => x.reduce((s, v) => s + v, 0) / x.length;
  const ma = mean(a);
  const mb = mean(b);
  let cov = 0;
  let va = 0;
  let vb = 0;
  a.forEach((x, i) => {
    cov += (x - ma) * (b[i]! - mb);
    va += (x - ma) ** 2;
    vb += (b[i]! - mb) ** 2;
  });
  return cov / Math.sqrt(va * vb);
}

describe("daily temperature curve", () => {
  it.each([
    [6, -1],
    [15, 1],
    [10.5, 0],
    [22.5, 0],
  ])("the shape at %s h solar is %s", (hour, value) => {
    expect(dailyShape(hour)).toBeCloseTo(value, 9);
  });

  it.each([
    ["January", Date.UTC(2026, 0, 1)],
    ["April", Date.UTC(2026, 3, 1)],
    ["July", Date.UTC(2026, 6, 1)],
    ["October", Date.UTC(2026, 9, 1)],
  ])("%s, averaged over 30 days and 6 seeds: coldest hour 04-08, warmest 13-17, within plausible bounds", (_month, start) => {
    for (const location of ["outdoor", "greenhouse"] as Location[]) {
      const byHour = new Array<number>(24).fill(0);
      let low = Infinity;
      let high = -Infinity;
      for (const seed of SEEDS) {
        for (let day = 0; day < 30; day++) {
          for (let hour = 0; hour < 24; hour++) {
            const t = conditions(place(seed, location), start + day * DAY + hour * HOUR).temperature;
            byHour[hour]! += t;
            low = Math.min(low, t);
            high = Math.max(high, t);
          }
        }
      }
      const coldest = byHour.indexOf(Math.min(...byHour));
      const warmest = byHour.indexOf(Math.max(...byHour));
      expect(coldest, location).toBeGreaterThanOrEqual(4);
      expect(coldest, location).toBeLessThanOrEqual(8);
      expect(warmest, location).toBeGreaterThanOrEqual(12);
      expect(warmest, location).toBeLessThanOrEqual(17);
      // mean daily range at least a few degrees (a constant curve fails here)
      expect((Math.max(...byHour) - Math.min(...byHour)) / (SEEDS.length * 30), location).toBeGreaterThan(3);
      expect(low, location).toBeGreaterThan(-25);
      expect(high, location).toBeLessThan(location === "greenhouse" ? 50 : 38);
    }
  });

  it("indoors stays near a room's set-point (17-25 degC) all year, with a small daily swing", () => {
    for (const seed of SEEDS) {
      const values: number[] = [];
      for (let hour = 0; hour < 365 * 24; hour += 5) values.push(conditions(place(seed, "indoor"), Date.UTC(2026, 0, 1) + hour * HOUR).temperature);
      expect(Math.min(...values)).toBeGreaterThan(17);
      expect(Math.max(...values)).toBeLessThan(25);
      expect(Math.max(...values) - Math.min(...values)).toBeGreaterThan(0.8);
    }
  });
});

describe("humidity", () => {
  it("Magnus: dew point = temperature is 100 %RH; 20 degC with a 10 degC dew point is ~52 %RH", () => {
    expect(relativeHumidity(20, 20)).toBeCloseTo(100, 9);
    expect(relativeHumidity(20, 10)).toBeCloseTo(52.5, 0);
  });

  // Within a day the dew point hardly moves while the air warms and cools, so relative humidity
  // swings against temperature. Across days both follow the weather (a warm front brings moist
  // air), so the test compares each reading with its own day's mean.
  it.each(["outdoor", "greenhouse", "indoor"] as Location[])("%s: within each day relative humidity moves against temperature (correlation < -0.7 over 10 days), always 0-100 %RH", (location) => {
    for (const seed of SEEDS) {
      const t: number[] = [];
      const h: number[] = [];
      for (let day = 0; day < 10; day++) {
        const dayT: number[] = [];
        const dayH: number[] = [];
        for (let step = 0; step < 24 * 4; step++) {
          const c = conditions(place(seed, location), Date.UTC(2026, 4, 1) + day * DAY + step * 15 * 60_000);
          dayT.push(c.temperature);
          dayH.push(c.humidity);
          expect(c.humidity).toBeGreaterThanOrEqual(0);
          expect(c.humidity).toBeLessThanOrEqual(100);
          expect(c.dewPoint).toBeLessThan(c.temperature);
        }
        const mean = (x: number[]) => x.reduce((s, v) => s + v, 0) / x.length;
        t.push(...dayT.map((v) => v - mean(dayT)));
        h.push(...dayH.map((v) => v - mean(dayH)));
      }
      expect(correlation(t, h), `seed ${seed}`).toBeLessThan(-0.7);
    }
  });
});

describe("pressure", () => {
  it("over a year: sea level within 960-1045 hPa, fronts move it by more than 25 hPa, never faster than 3 hPa an hour", () => {
    for (const seed of SEEDS) {
      const site = { seed };
      let low = Infinity;
      let high = -Infinity;
      let steepest = 0;
      let previous = seaLevelPressure(site, Date.UTC(2026, 0, 1));
      for (let hour = 1; hour < 365 * 24; hour++) {
        const p = seaLevelPressure(site, Date.UTC(2026, 0, 1) + hour * HOUR);
        low = Math.min(low, p);
        high = Math.max(high, p);
        steepest = Math.max(steepest, Math.abs(p - previous));
        previous = p;
      }
      expect(low).toBeGreaterThanOrEqual(960);
      expect(high).toBeLessThanOrEqual(1045);
      expect(high - low).toBeGreaterThan(25);
      expect(steepest).toBeLessThan(3);
    }
  });

  it("station pressure falls with altitude: ~12 hPa per 100 m near sea level (ISA)", () => {
    expect(stationPressure(1013.25, 0)).toBeCloseTo(1013.25, 9);
    expect(1013.25 - stationPressure(1013.25, 100)).toBeCloseTo(12, 0);
    expect(stationPressure(1013.25, 1000)).toBeCloseTo(898.7, 0);
  });
});

describe("daylight", () => {
  it("sun elevation at solar noon, 48 degrees north: 90 - 48 + declination (June ~65.4, December ~18.6)", () => {
    expect(sunElevation(Date.UTC(2026, 5, 21, 12), { latitude: 48 })).toBeCloseTo(65.4, 0);
    expect(sunElevation(Date.UTC(2026, 11, 21, 12), { latitude: 48 })).toBeCloseTo(18.6, 0);
  });

  it.each([
    // [label, wall time (solar = UTC at longitude 0), dark?]
    ["June 02:00", Date.UTC(2026, 5, 21, 2), true],
    ["June 05:00 (after sunrise, ~04:00)", Date.UTC(2026, 5, 21, 5), false],
    ["June 21:00 (before sunset, ~20:00, in twilight)", Date.UTC(2026, 5, 21, 20, 30), false],
    ["June 23:00", Date.UTC(2026, 5, 21, 23), true],
    ["December 07:00 (before sunrise, ~07:55)", Date.UTC(2026, 11, 21, 7), true],
    ["December 12:00", Date.UTC(2026, 11, 21, 12), false],
    ["December 17:30 (after dusk)", Date.UTC(2026, 11, 21, 17, 30), true],
  ])("%s: outdoor light is %s", (_label, wall, dark) => {
    for (const seed of SEEDS) {
      const lux = outdoorIlluminance({ seed }, wall as number);
      if (dark) expect(lux).toBe(0);
      else expect(lux).toBeGreaterThan(1);
    }
  });

  it("0 lx at night in every location (03:00, all year); a bright summer noon outdoors is 10-130 klx; a greenhouse gets less than outside", () => {
    for (const seed of SEEDS) {
      for (let day = 0; day < 365; day += 7) {
        const night = Date.UTC(2026, 0, 1) + day * DAY + 3 * HOUR;
        for (const location of ["outdoor", "greenhouse", "indoor"] as Location[]) expect(conditions(place(seed, location), night).illuminance).toBe(0);
      }
      const noon = Date.UTC(2026, 6, 1, 12);
      const outside = conditions(place(seed, "outdoor"), noon).illuminance;
      expect(outside).toBeGreaterThan(10_000);
      expect(outside).toBeLessThan(130_000);
      expect(conditions(place(seed, "greenhouse"), noon).illuminance).toBeLessThan(outside);
    }
    expect(clearSkyIlluminance(90)).toBeGreaterThan(100_000);
    expect(clearSkyIlluminance(-7)).toBe(0);
  });
});

describe("sensor errors from the datasheets", () => {
  it.each([
    ["sht3x", "temperature", 20],
    ["sht3x", "humidity", 50],
    ["bme280", "pressure", 101_325],
    ["bme280", "humidity", 50],
    ["aht20", "temperature", 20],
    ["ds18b20", "temperature", 20],
  ] as const)("%s %s: a part's offset within its typical accuracy, noise with the datasheet's sigma", (type, quantity, truth) => {
    const spec = SENSOR_ERRORS[type]![quantity]!;
    const offsets: number[] = [];
    for (let part = 1; part <= 200; part++) {
      const values: number[] = [];
      for (let n = 0; n < (part === 1 ? 2000 : 1); n++) values.push(partReading(type, part, { [quantity]: truth }, n * 1000)[quantity]!);
      if (part === 1) {
        const mean = values.reduce((s, v) => s + v, 0) / values.length;
        const sigma = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / values.length);
        expect(sigma).toBeGreaterThan(spec.noise * 0.85);
        expect(sigma).toBeLessThan(spec.noise * 1.15);
      }
      offsets.push(values[0]! - truth);
    }
    expect(Math.max(...offsets.map(Math.abs))).toBeLessThanOrEqual(spec.accuracy! + 5 * spec.noise);
    // parts differ from each other: not every part is perfect
    expect(offsets.filter((o) => Math.abs(o) > spec.accuracy! / 10).length).toBeGreaterThan(100);
  });

  it("BH1750: a part's gain within +-20 % (0.96-1.44 around the typical 1.2), no noise, never negative", () => {
    const gains = Array.from({ length: 200 }, (_, part) => partReading("bh1750", part, { illuminance: 1000 }, 5).illuminance! / 1000);
    expect(Math.min(...gains)).toBeGreaterThanOrEqual(0.8);
    expect(Math.max(...gains)).toBeLessThanOrEqual(1.2);
    expect(new Set(gains).size).toBeGreaterThan(150);
    expect(partReading("bh1750", 3, { illuminance: 1000 }, 5)).toEqual(partReading("bh1750", 3, { illuminance: 1000 }, 6_000_000));
    expect(partReading("bh1750", 3, { illuminance: 0 }, 5).illuminance).toBe(0);
  });
});

describe("determinism", () => {
  it("same seed and instant, same conditions and readings; another seed, others", () => {
    const wall = Date.UTC(2026, 2, 14, 13, 37);
    for (const location of ["outdoor", "greenhouse", "indoor"] as Location[]) {
      expect(conditions(place(5, location), wall)).toEqual(conditions(place(5, location), wall));
      expect(conditions(place(6, location), wall)).not.toEqual(conditions(place(5, location), wall));
    }
    expect(partReading("bme280", 9, { temperature: 20, humidity: 40, pressure: 1e5 }, 1234)).toEqual(partReading("bme280", 9, { temperature: 20, humidity: 40, pressure: 1e5 }, 1234));
    expect(partReading("bme280", 9, { temperature: 20 }, 1234)).not.toEqual(partReading("bme280", 10, { temperature: 20 }, 1234));
  });

  it("the order of questions does not matter: the value at an instant is the same asked first or after a thousand others", () => {
    const p = place(77, "greenhouse");
    const wall = Date.UTC(2026, 7, 3, 9, 15);
    const first = conditions(p, wall);
    for (let i = 0; i < 1000; i++) conditions(p, wall + i * 60_000);
    expect(conditions(p, wall)).toEqual(first);
  });
});
