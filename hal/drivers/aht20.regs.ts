// ASAIR (Aosong) AHT20 commands and status bits. Sections: "AHT20 Product Manual"
// (datasheet V1.0/1.1), §5.3 "Sensor reading process" and §5.4 "Signal transformation";
// §7.4 lists the status bits. Shared by the driver and the simulated device.

/** §5.2: fixed address 0x38. */
export const AHT20_ADDRESS = 0x38;

/** §5.3 step 1: initialisation (calibration load) when status bit 3 is clear: 0xBE 0x08 0x00. */
export const CMD_INITIALIZE = [0xbe, 0x08, 0x00];
/** §5.3 step 2: trigger a measurement: 0xAC 0x33 0x00, then wait 80 ms. */
export const CMD_TRIGGER = [0xac, 0x33, 0x00];
/** §5.5 soft reset (20 ms). */
export const CMD_SOFT_RESET = 0xba;

/** §7.4 status byte: bit 7 busy, bit 3 calibration enabled. */
export const STATUS_BUSY = 0x80;
export const STATUS_CALIBRATED = 0x08;

/** §5.3 step 2: "wait 80 ms for the measurement to be completed". */
export const MEASURE_MS = 80;
/** §5.3 step 1: wait 10 ms after the initialisation command. */
export const INITIALIZE_MS = 10;
/** §5.3 step 3: status, 5 data bytes (20-bit humidity, 20-bit temperature), CRC. */
export const MEASUREMENT_LENGTH = 7;
