// ROHM BH1750FVI instruction set. Sections: datasheet BH1750FVI (2011.11 Rev.D),
// "Instruction Set Architecture" (p.5) and "Measurement mode explanation" (p.5-7).
// Every instruction is one byte written on its own (p.7 "Write Format").
// Shared by the driver and the simulated device.

/** ADDR pin low -> 0x23 (default), high -> 0x5C (p.10 "I2C Bus Slave Address"). */
export const BH1750_ADDRESSES = [0x23, 0x5c];

export const OP_POWER_DOWN = 0x00;
export const OP_POWER_ON = 0x01;
/** Resets the data register to 0; "not acceptable in Power Down mode" (p.5). */
export const OP_RESET = 0x07;
export const OP_CONTINUOUS_HIGH = 0x10;
export const OP_CONTINUOUS_HIGH2 = 0x11;
export const OP_CONTINUOUS_LOW = 0x13;
/** One-time modes power down by themselves after the measurement (p.5). */
export const OP_ONE_TIME_HIGH = 0x20;
export const OP_ONE_TIME_HIGH2 = 0x21;
export const OP_ONE_TIME_LOW = 0x23;
/** Measurement time register (MTreg): 01000_MT[7:5] then 011_MT[4:0] (p.11). */
export const OP_MTREG_HIGH = 0x40;
export const OP_MTREG_LOW = 0x60;
export const MTREG_DEFAULT = 69;
export const MTREG_MIN = 31;
export const MTREG_MAX = 254;

/** p.2 "Electrical Characteristics": measurement time at MTreg 69, maximum / typical, ms. */
export const MEASURE_MAX_MS: Record<string, number> = { high: 180, high2: 180, low: 24 };
export const MEASURE_TYPICAL_MS: Record<string, number> = { high: 120, high2: 120, low: 16 };
export const ONE_TIME_OPCODES: Record<string, number> = { high: OP_ONE_TIME_HIGH, high2: OP_ONE_TIME_HIGH2, low: OP_ONE_TIME_LOW };
/** p.2 "Measurement Accuracy" 1.2 (typical): counts per lx at MTreg 69. */
export const COUNTS_PER_LUX = 1.2;
