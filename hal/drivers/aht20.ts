// ASAIR AHT20 temperature and humidity over I2C (AHT20 product manual §5.3). A plain read
// returns the status byte; a measurement is 0xAC 0x33 0x00, 80 ms, then 7 bytes with a CRC.
// The chip has no id register.
import { codedError } from "../errors";
import type { I2CBus } from "../i2c";
import { crc8Sensirion } from "../crc8";
import type { ClimateSample, Sensor } from "../sensor";
import { AHT20_ADDRESS, CMD_INITIALIZE, CMD_TRIGGER, MEASURE_MS, MEASUREMENT_LENGTH, STATUS_BUSY, STATUS_CALIBRATED } from "./aht20.regs";

export interface Aht20Options {
  bus: I2CBus;
  /** Always 0x38 (§5.2); accepted for a uniform options shape. */
  address?: number;
}

export class Aht20 implements Sensor<ClimateSample> {
  bus: I2CBus;
  pending: boolean;

  constructor(options: Aht20Options) {
    if (!options.bus || (options.address ?? AHT20_ADDRESS) !== AHT20_ADDRESS) {
      throw codedError("invalid-options", "aht20: needs bus, address 0x38");
    }
    this.bus = options.bus;
    this.pending = false;
    // A status read (no write) proves something answers at 0x38.
    this.bus.read(AHT20_ADDRESS, 1);
  }

  trigger(): number {
    this.pending = false;
    // §5.3 step 1: after power-on the calibration bit must be set, else initialise and
    // wait 10 ms before measuring (the next trigger will measure).
    if (!(this.bus.read(AHT20_ADDRESS, 1)[0]! & STATUS_CALIBRATED)) {
      this.bus.write(AHT20_ADDRESS, CMD_INITIALIZE);
      throw codedError("not-ready", "aht20: calibrating after power-on");
    }
    this.bus.write(AHT20_ADDRESS, CMD_TRIGGER);
    this.pending = true;
    return MEASURE_MS;
  }

  sample(): ClimateSample {
    if (!this.pending) throw codedError("not-ready", "aht20: no measurement triggered");
    const d = this.bus.read(AHT20_ADDRESS, MEASUREMENT_LENGTH);
    // §5.3 step 3: bit 7 of the status byte is set while measuring.
    if (d[0]! & STATUS_BUSY) throw codedError("not-ready", "aht20: measuring");
    // §5.4: CRC-8 (0x31, init 0xFF) over the status and the five data bytes.
    if (crc8Sensirion(d, 0, 6) !== d[6]) throw codedError("crc", "aht20: checksum mismatch");
    this.pending = false;
    // §5.4: S_RH = 20 bits from byte 1, S_T = the next 20 bits.
    // RH = S_RH / 2^20 * 100 %, T = S_T / 2^20 * 200 - 50 degC.
    const humidity = (d[1]! << 12) | (d[2]! << 4) | (d[3]! >> 4);
    const temperature = ((d[3]! & 0x0f) << 16) | (d[4]! << 8) | d[5]!;
    return { temperature: (temperature * 200) / 1048576 - 50, humidity: (humidity * 100) / 1048576 };
  }

  close(): void {
    this.pending = false;
  }
}

export function create(options: Aht20Options): Aht20 {
  return new Aht20(options);
}
