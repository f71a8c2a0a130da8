// Maxim DS18B20 1-Wire thermometer: ROM and function commands, scratchpad layout.
// Sections: datasheet DS18B20 (19-7487 Rev 6), "64-bit Lasered ROM Code" (Figure 6),
// "Memory" (Figure 7, scratchpad), "Configuration Register" (Table 2), "ROM Commands",
// "DS18B20 Function Commands" (Table 3). Shared by the driver and the simulated device.

/** Figure 6: the least significant ROM byte is the family code, 0x28 for the DS18B20. */
export const DS18B20_FAMILY = 0x28;

/** ROM commands ("ROM Commands" section). */
export const ROM_SEARCH = 0xf0;
export const ROM_READ = 0x33;
export const ROM_MATCH = 0x55;
export const ROM_SKIP = 0xcc;
export const ROM_ALARM_SEARCH = 0xec;

/** Function commands (Table 3). */
export const CMD_CONVERT_T = 0x44;
export const CMD_WRITE_SCRATCHPAD = 0x4e; // then TH, TL, config
export const CMD_READ_SCRATCHPAD = 0xbe; // then 9 bytes, byte 8 = CRC
export const CMD_COPY_SCRATCHPAD = 0x48;
export const CMD_RECALL_E2 = 0xb8;
export const CMD_READ_POWER_SUPPLY = 0xb4;

/** Figure 7 scratchpad byte offsets. */
export const SP_TEMP_LSB = 0;
export const SP_TEMP_MSB = 1;
export const SP_TH = 2;
export const SP_TL = 3;
export const SP_CONFIG = 4;
export const SP_CRC = 8;
export const SCRATCHPAD_LENGTH = 9;

/** Table 2: configuration byte = 0 R1 R0 1 1 1 1 1; resolution 9..12 bits -> R1R0 = 0..3. */
export const CONFIG_FIXED_BITS = 0x1f;
export const CONFIG_MASK = 0x9f; // bit 7 is 0 and bits 4..0 are 1 on every DS18B20

/** Table 2: maximum conversion time in ms by resolution (93.75, 187.5, 375, 750). */
export const CONVERSION_MS: Record<number, number> = { 9: 93.75, 10: 187.5, 11: 375, 12: 750 };

/** "Operation - Measuring Temperature": the temperature register's power-on value, +85 degC. */
export const POWER_ON_RAW = 0x0550;
