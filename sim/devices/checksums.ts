// The simulated devices' own checksums, written from the datasheets' generator
// descriptions (a shift register with XOR taps), independently of hal/crc8.ts: a device
// that shared the driver's CRC code would agree with a wrong driver.

/**
 * Sensirion CRC-8 (SHT3x datasheet §4.12 Table 20; AHT20 datasheet §5.4): generator
 * x^8 + x^5 + x^4 + 1, initialisation 0xFF, data MSB first, no reflection, no final XOR.
 * Implemented as polynomial long division of the message bits.
 */
export function sensirionCrc(data: ArrayLike<number>): number {
  let register = 0xff;
  for (let i = 0; i < data.length; i++) {
    for (let bit = 7; bit >= 0; bit--) {
      const incoming = (data[i]! >> bit) & 1;
      const top = (register >> 7) & 1;
      register = (register << 1) & 0xff;
      // feedback = top XOR incoming bit, into taps x^0, x^4, x^5 (0x31)
      if (top ^ incoming) register ^= 0x31;
    }
  }
  return register;
}

/**
 * Dallas/Maxim 1-Wire CRC-8 (DS18B20 datasheet "CRC Generation", Figure 11): the same
 * polynomial x^8 + x^5 + x^4 + 1 as a shift register fed LSB first, initial value 0.
 * Bit-by-bit, following the figure: input XOR stage 0 feeds stage 7 and the taps at 3 and 4.
 */
export function dallasCrc(data: ArrayLike<number>): number {
  let stages = 0;
  for (let i = 0; i < data.length; i++) {
    for (let bit = 0; bit < 8; bit++) {
      const feedback = ((data[i]! >> bit) ^ stages) & 1;
      stages >>= 1;
      if (feedback) stages ^= 0x8c; // stage 7 plus the XORs into stages 3 and 2 (after the shift)
    }
  }
  return stages;
}
