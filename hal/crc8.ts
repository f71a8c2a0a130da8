// The two CRC-8 variants our sensors use. Bitwise, no table: 256-byte tables cost more
// variables than an ESP8266 can spare for a checksum over 2-9 bytes.

/**
 * Sensirion CRC-8 (SHT3x datasheet §4.12, also AHT20 datasheet §5.4): polynomial 0x31
 * (x^8 + x^5 + x^4 + 1), init 0xFF, MSB first, no final XOR. 0xBE 0xEF -> 0x92.
 */
export function crc8Sensirion(bytes: Uint8Array, start: number, length: number): number {
  let crc = 0xff;
  for (let i = start; i < start + length; i++) {
    crc ^= bytes[i]!;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x80 ? ((crc << 1) ^ 0x31) & 0xff : (crc << 1) & 0xff;
  }
  return crc;
}

/**
 * Dallas/Maxim CRC-8 (DS18B20 datasheet "CRC Generation", application note 27): the same
 * polynomial x^8 + x^5 + x^4 + 1 but LSB first (reflected 0x8C), init 0. Running it over
 * data followed by its CRC gives 0.
 */
export function crc8Dallas(bytes: Uint8Array, start: number, length: number): number {
  let crc = 0;
  for (let i = start; i < start + length; i++) {
    crc ^= bytes[i]!;
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >> 1) ^ 0x8c : crc >> 1;
  }
  return crc;
}
