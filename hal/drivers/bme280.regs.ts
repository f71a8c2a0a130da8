// Bosch BME280 / BMP280 register map. Sections: BME280 datasheet BST-BME280-DS002
// (rev 1.6+); the BMP280 (BST-BMP280-DS001) shares it without the humidity registers.
// Shared by the driver and the simulated device (register map only, never the maths).

/** §6.2: SDO to GND -> 0x76, SDO to VDDIO -> 0x77. */
export const BME280_ADDRESSES = [0x76, 0x77];

/** §5.4.1 "id": 0x60 on the BME280. BMP280 datasheet §4.3.1: 0x58 (0x56/0x57 on samples). */
export const BME280_CHIP_ID = 0x60;
export const BMP280_CHIP_ID = 0x58;

/** §5.3 Table 18 memory map. */
export const REG_CALIB_00 = 0x88; // §4.2.2 Table 16: dig_T1..dig_P9 at 0x88..0x9F, dig_H1 at 0xA1
export const CALIB_00_LENGTH = 26; // 0x88..0xA1
export const REG_CHIP_ID = 0xd0; // §5.4.1
export const REG_RESET = 0xe0; // §5.4.2: writing 0xB6 resets the device
export const RESET_WORD = 0xb6;
export const REG_CALIB_26 = 0xe1; // §4.2.2 Table 16: dig_H2..dig_H6 at 0xE1..0xE7
export const CALIB_26_LENGTH = 7;
export const REG_CTRL_HUM = 0xf2; // §5.4.3 osrs_h[2:0]; takes effect after a write to ctrl_meas
export const REG_STATUS = 0xf3; // §5.4.4 measuring[3], im_update[0]
export const REG_CTRL_MEAS = 0xf4; // §5.4.5 osrs_t[7:5], osrs_p[4:2], mode[1:0]
export const REG_CONFIG = 0xf5; // §5.4.6 t_sb[7:5], filter[4:2], spi3w_en[0]
export const REG_PRESS_MSB = 0xf7; // §5.4.7 press_msb, press_lsb, press_xlsb[7:4]
export const REG_TEMP_MSB = 0xfa; // §5.4.8 temp_msb, temp_lsb, temp_xlsb[7:4]
export const REG_HUM_MSB = 0xfd; // §5.4.9 hum_msb, hum_lsb

/** §5.4.4 status bits. */
export const STATUS_MEASURING = 0x08;
export const STATUS_IM_UPDATE = 0x01;

/** §5.4.5 mode[1:0]: 00 sleep, 01 and 10 forced, 11 normal (§3.3). */
export const MODE_SLEEP = 0;
export const MODE_FORCED = 1;
export const MODE_NORMAL = 3;

/** §5.4.3/§5.4.5 Tables 20, 23, 24: oversampling code 0 = skipped, 1..5 = x1, x2, x4, x8, x16. */
export const OVERSAMPLING_CODES: Record<number, number> = { 1: 1, 2: 2, 4: 3, 8: 4, 16: 5 };
/** §5.4.6 Table 28: IIR filter coefficient code: off, 2, 4, 8, 16. */
export const FILTER_CODES: Record<number, number> = { 0: 0, 2: 1, 4: 2, 8: 3, 16: 4 };

/** §5.4.7-5.4.9: value of a data register when the measurement was skipped / never ran. */
export const SKIPPED_20BIT = 0x80000;
export const SKIPPED_16BIT = 0x8000;
