// The physical world of a simulated node: what the air, the light and the soil around it are
// doing at a given wall-clock instant. Every signal here is a PURE function of (seed, time):
// no state, no random walk advanced step by step. So the value at 14:03 does not depend on
// how often (or whether) anyone asked before, a fleet of nodes sampling at different rates
// sees one consistent world, and the same seed gives the same values on every run.
//
// Time is the simulation's wall clock (the board's epoch + the SimClock), never real time.
// The hour of the day is local SOLAR time: UTC + longitude / 15.
//
// Models (deliberately simple, each a few lines):
//  - weather: smooth seeded noise (value noise on knots, smoothstep between them) at periods
//    from hours to days; pressure fronts drive cloud cover (low pressure, more cloud);
//  - sun: declination (Cooper 1969), elevation from latitude and hour angle; clear-sky
//    illuminance ~128 klx x sin(h) x exp(-0.21 / sin(h)) direct + a diffuse sky term,
//    civil twilight below the horizon, cloud attenuation 1 - 0.75 c^3.4 (Kasten & Czeplak 1980);
//  - temperature: seasonal mean + a daily curve with its minimum near sunrise (06:00) and its
//    maximum mid-afternoon (15:00), damped by cloud, + multi-day weather drift;
//  - humidity: from a dew point that drifts slowly (Magnus formula, Alduchov & Eskridge
//    1996), so relative humidity falls when the air warms in the afternoon and rises at night;
//  - pressure: sea-level 1013.25 hPa + fronts (multi-day) + the semidiurnal tide (peaks near
//    10:00 and 22:00, ~0.6 hPa), reduced to the site's altitude (barometric formula).

export type Location = "indoor" | "outdoor" | "greenhouse";
export const LOCATIONS: Location[] = ["indoor", "outdoor", "greenhouse"];

export interface Site {
  /** Seed of the weather (shared by every node of a simulation: one sky over the fleet). */
  seed: number;
  /** Degrees north. Default 48 (central Europe). */
  latitude?: number;
  /** Degrees east; sets local solar time. Default 0 (solar time = UTC). */
  longitude?: number;
  /** Metres above sea level. Default 120. */
  altitude?: number;
}

export interface Conditions {
  /** degrees C */
  temperature: number;
  /** %RH, 0..100 */
  humidity: number;
  /** Pa, at the site's altitude */
  pressure: number;
  /** lx on a horizontal surface */
  illuminance: number;
  /** dew point, degrees C */
  dewPoint: number;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

// ---- seeded hashing and smooth noise ----

/** A well-mixed 32-bit hash of three integers (murmur3's finaliser on a combination). */
export function hash(a: number, b: number, c: number): number {
  let x = (a ^ Math.imul(b + 0x7f4a7c15, 0x9e3779b1) ^ Math.imul(c + 0x165667b1, 0x85ebca77)) >>> 0;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b) >>> 0;
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35) >>> 0;
  return (x ^ (x >>> 16)) >>> 0;
}

/** Uniform in [0, 1) for (seed, channel, k). */
export function uniform(seed: number, channel: number, k: number): number {
  return hash(seed, channel, k) / 4294967296;
}

/** Standard normal for (seed, channel, k) (Box-Muller on two hashes). */
export function gaussian(seed: number, channel: number, k: number): number {
  const u = (hash(seed, channel, k) + 1) / 4294967297;
  const v = hash(seed, channel + 0x1000, k) / 4294967296;
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/**
 * Smooth noise: standard-normal knots every `period` ms, smoothstep between them. Its
 * standard deviation is about 0.8; it changes on the time scale of `period`.
 */
export function smooth(seed: number, channel: number, time: number, period: number): number {
  const x = time / period;
  const k = Math.floor(x);
  const f = x - k;
  const s = f * f * (3 - 2 * f);
  return gaussian(seed, channel, k) * (1 - s) + gaussian(seed, channel, k + 1) * s;
}

// Channels: one per independent signal, so they do not move together by accident.
const CH = { drift: 1, driftFast: 2, front: 3, frontFast: 4, cloud: 5, dew: 6, indoor: 7, lamp: 8, window: 9, offset: 10 };

// ---- sun and light ----

/** Day of the year (0 = 1 January, fractional). */
export function dayOfYear(wall: number): number {
  const year = new Date(wall).getUTCFullYear();
  return (wall - Date.UTC(year, 0, 1)) / DAY;
}

/** Local solar hour, 0..24. */
export function solarHour(wall: number, longitude = 0): number {
  const hours = (wall % DAY) / HOUR + longitude / 15;
  return ((hours % 24) + 24) % 24;
}

/** Sun elevation in degrees. */
export function sunElevation(wall: number, site: Pick<Site, "latitude" | "longitude">): number {
  const rad = Math.PI / 180;
  const declination = 23.44 * Math.sin((2 * Math.PI * (284 + dayOfYear(wall))) / 365) * rad; // Cooper 1969
  const latitude = (site.latitude ?? 48) * rad;
  const hourAngle = 15 * (solarHour(wall, site.longitude) - 12) * rad;
  const sine = Math.sin(latitude) * Math.sin(declination) + Math.cos(latitude) * Math.cos(declination) * Math.cos(hourAngle);
  return Math.asin(Math.max(-1, Math.min(1, sine))) / rad;
}

/** Horizontal illuminance under a clear sky, lx, for a sun elevation in degrees. */
export function clearSkyIlluminance(elevation: number): number {
  // civil twilight: ~400 lx at the horizon down to ~3 lx at -6 degrees, then dark
  const twilight = elevation > -6 ? 400 * Math.pow(10, (2.1 * elevation) / 6) : 0;
  if (elevation <= 0) return twilight;
  const sine = Math.sin((elevation * Math.PI) / 180);
  const day = 128_000 * sine * Math.exp(-0.21 / sine) + 16_000 * Math.sqrt(sine);
  return Math.max(day, Math.min(twilight, 2_000));
}

// ---- weather (shared by every node on the site) ----

/** Sea-level pressure, hPa: fronts over days, weather over a day, the semidiurnal tide. */
export function seaLevelPressure(site: Site, wall: number): number {
  const fronts = 10 * smooth(site.seed, CH.front, wall, 3.5 * DAY) + 3 * smooth(site.seed, CH.frontFast, wall, DAY);
  const tide = 0.6 * Math.cos((2 * Math.PI * (solarHour(wall, site.longitude) - 10)) / 12);
  return Math.max(960, Math.min(1045, 1013.25 + fronts + tide));
}

/** Cloud cover 0..1: more cloud when the pressure is low, plus its own variation over hours. */
export function cloudCover(site: Site, wall: number): number {
  const fronts = seaLevelPressure(site, wall) - 1013.25;
  const cover = 0.45 - 0.05 * fronts + 0.3 * smooth(site.seed, CH.cloud, wall, 6 * HOUR);
  return Math.max(0, Math.min(1, cover));
}

/** Outdoor illuminance, lx. */
export function outdoorIlluminance(site: Site, wall: number): number {
  const c = cloudCover(site, wall);
  return clearSkyIlluminance(sunElevation(wall, site)) * (1 - 0.75 * Math.pow(c, 3.4));
}

/** -1 at 06:00 solar, +1 at 15:00, a half cosine each way (warming 9 h, cooling 15 h). */
export function dailyShape(hour: number): number {
  const h = ((hour % 24) + 24) % 24;
  if (h >= 6 && h < 15) return -Math.cos((Math.PI * (h - 6)) / 9);
  return Math.cos((Math.PI * (((h - 15 + 24) % 24) / 15)));
}

/** Seasonal mean temperature: a temperate site, about 2 degrees C mid-January, 19 mid-July. */
export function seasonalMean(wall: number): number {
  return 10.5 + 8.5 * Math.cos((2 * Math.PI * (dayOfYear(wall) - 200)) / 365);
}

/** Weather drift of the temperature, degrees C (days and half-days). */
function drift(site: Site, wall: number): number {
  return 3 * smooth(site.seed, CH.drift, wall, 2.5 * DAY) + 1.2 * smooth(site.seed, CH.driftFast, wall, 12 * HOUR);
}

export function outdoorTemperature(site: Site, wall: number): number {
  const amplitude = 4.5 * (1 - 0.5 * cloudCover(site, wall));
  return seasonalMean(wall) + amplitude * dailyShape(solarHour(wall, site.longitude)) + drift(site, wall);
}

/** Outdoor dew point: the day's mean air temperature minus a depression that drifts over days. */
export function outdoorDewPoint(site: Site, wall: number): number {
  const depression = 3 + 2 * (1 + smooth(site.seed, CH.dew, wall, 1.5 * DAY)) + 2.5 * (1 - cloudCover(site, wall));
  return seasonalMean(wall) + drift(site, wall) - Math.max(1, depression);
}

/** Magnus formula (Alduchov & Eskridge 1996): relative humidity from air temperature and dew point. */
export function relativeHumidity(temperature: number, dewPoint: number): number {
  const magnus = (t: number) => Math.exp((17.625 * t) / (243.04 + t));
  return Math.max(0, Math.min(100, (100 * magnus(dewPoint)) / magnus(temperature)));
}

/** Station pressure at `altitude` metres from sea-level pressure (barometric formula, ISA). */
export function stationPressure(seaLevel: number, altitude: number): number {
  return seaLevel * Math.pow(1 - 2.25577e-5 * altitude, 5.25588);
}

// ---- one node's surroundings ----

export interface Place {
  site: Site;
  location: Location;
  /** The node's own seed: its room's set-point, its window, its lamp habits. */
  seed: number;
}

/** What the air and light around the node are doing at `wall` (ms since 1970, simulated). */
export function conditions(place: Place, wall: number): Conditions {
  const site = place.site;
  const outside = outdoorTemperature(site, wall);
  const outsideDew = outdoorDewPoint(site, wall);
  const light = outdoorIlluminance(site, wall);
  const pressure = stationPressure(seaLevelPressure(site, wall), site.altitude ?? 120) * 100;
  const hour = solarHour(wall, site.longitude);
  let temperature: number;
  let dewPoint: number;
  let illuminance: number;
  if (place.location === "outdoor") {
    temperature = outside;
    dewPoint = outsideDew;
    illuminance = light;
  } else if (place.location === "greenhouse") {
    // glass: ~70 % of the light in, the sun heats the air (up to ~14 K at full sun), plants transpire
    temperature = outside + 2 + 14 * Math.min(1, light / 100_000);
    dewPoint = outsideDew + 6;
    illuminance = 0.7 * light;
  } else {
    // a heated room: its own set-point, a small daily swing (warmest early evening), a little of the weather
    const setPoint = 21 + 1.5 * (2 * uniform(place.seed, CH.offset, 0) - 1);
    temperature = setPoint + 0.8 * dailyShape(hour - 3) + 0.08 * (outside - seasonalMean(wall)) + 0.3 * smooth(place.seed, CH.indoor, wall, 8 * HOUR);
    // walls and furniture buffer moisture: the room's dew point follows the season and the
    // week's weather, not the hour (about 35 %RH in a heated winter room, 60 % in summer)
    dewPoint = Math.max(seasonalMean(wall) - 5, 5) + 1.5 * smooth(place.seed, CH.dew, wall, 3 * DAY);
    // daylight through a window (1-3 %) and lamps in the morning and evening, a little different each day
    const window = 0.01 + 0.02 * uniform(place.seed, CH.window, 0);
    illuminance = light * window + lamp(place.seed, wall, hour);
  }
  dewPoint = Math.min(dewPoint, temperature - 0.3);
  return { temperature, humidity: relativeHumidity(temperature, dewPoint), pressure, illuminance, dewPoint };
}

/** Indoor lamps: on from ~06:30 to ~08:00 and from ~18:00 to ~23:00 (seeded per day), 200-400 lx. */
function lamp(seed: number, wall: number, hour: number): number {
  const day = Math.floor(wall / DAY);
  const jitter = (n: number) => uniform(seed, CH.lamp + n, day) - 0.5;
  const morning = hour >= 6.5 + jitter(1) && hour < 8 + jitter(2);
  const evening = hour >= 18 + jitter(3) && hour < 23 + jitter(4);
  return morning || evening ? 200 + 200 * uniform(seed, CH.lamp, day) : 0;
}

/** Soil a few cm down: the air's daily swing damped to a quarter and 3 h late; a greenhouse's soil is warmer. */
export function soilTemperature(place: Place, wall: number): number {
  const site = place.site;
  const amplitude = 4.5 * (1 - 0.5 * cloudCover(site, wall));
  const base = seasonalMean(wall) + 0.3 * drift(site, wall) + (place.location === "greenhouse" ? 5 : place.location === "indoor" ? 8 : 0);
  return base + 0.25 * amplitude * dailyShape(solarHour(wall, site.longitude) - 3);
}

/**
 * Soil moisture, %: dries ~0.4 %/h in the day and a little at night, watered back to 65-75 %
 * every 1.5 to 3 days (seeded). Between 25 and 75 %.
 */
export function soilMoisture(place: Place, wall: number): number {
  // watering instants: one per slot of 2.25 days, at a seeded place inside it
  const slot = 2.25 * DAY;
  const k = Math.floor(wall / slot);
  const at = (n: number) => n * slot + (0.2 + 0.6 * uniform(place.seed, 20, n)) * slot;
  const last = wall >= at(k) ? at(k) : at(k - 1);
  const lastIndex = wall >= at(k) ? k : k - 1;
  const full = 65 + 10 * uniform(place.seed, 21, lastIndex);
  const hours = (wall - last) / HOUR;
  return Math.max(25, full - 0.25 * hours);
}
