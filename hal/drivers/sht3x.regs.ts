// Sensirion SHT3x-DIS (SHT30/31/35) commands. Sections: datasheet "Datasheet SHT3x-DIS"
// (version 6/7). Every command is 16 bits, MSB first; every 16-bit word the sensor sends is
// followed by its CRC-8 (§4.12). Shared by the driver and the simulated device.

/** §3 Table 7: ADDR pin low -> 0x44 (default), high -> 0x45. */
export const SHT3X_ADDRESSES = [0x44, 0x45];

/**
 * §4.3 Table 9: single shot, clock stretching DISABLED (the sensor NACKs the read header
 * until the measurement is done, §4.4), by repeatability.
 */
export const CMD_MEASURE_HIGH = 0x2400;
export const CMD_MEASURE_MEDIUM = 0x240b;
export const CMD_MEASURE_LOW = 0x2416;
/** §4.3 Table 9: clock stretching ENABLED variants (not used: they hold SCL for up to 15 ms). */
export const CMD_MEASURE_STRETCH_HIGH = 0x2c06;
export const CMD_MEASURE_STRETCH_MEDIUM = 0x2c0d;
export const CMD_MEASURE_STRETCH_LOW = 0x2c10;
/** §4.8 soft reset; §4.11 status register read / clear; §4.10 heater. */
export const CMD_SOFT_RESET = 0x30a2;
export const CMD_READ_STATUS = 0xf32d;
export const CMD_CLEAR_STATUS = 0x3041;
export const CMD_HEATER_ON = 0x306d;
export const CMD_HEATER_OFF = 0x3066;
/** §4.7 break (stop periodic mode); §4.5 fetch data in periodic mode; §4.6 ART. */
export const CMD_BREAK = 0x3093;
export const CMD_FETCH_DATA = 0xe000;
export const CMD_ART = 0x2b32;

/** §4.11 Table 17 status register bits. */
export const STATUS_ALERT = 0x8000;
export const STATUS_HEATER = 0x2000;
export const STATUS_RESET_DETECTED = 0x0010;
export const STATUS_COMMAND_FAILED = 0x0002;
export const STATUS_WRITE_CRC_FAILED = 0x0001;

/**
 * §2.2 Table 4: maximum measurement duration in ms, by repeatability. Single numbers, not a
 * table: the build inlines them, where an object would stay in a board's RAM for its life.
 */
export const MEASURE_MAX_MS_HIGH = 15;
export const MEASURE_MAX_MS_MEDIUM = 6;
export const MEASURE_MAX_MS_LOW = 4;
