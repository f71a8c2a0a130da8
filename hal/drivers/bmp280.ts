// Bosch BMP280 (temperature, pressure): the BME280 driver expecting chip id 0x58, so a
// board file can say "bmp280" and get its own entry in the bundle (see bme280.ts).
import { Bme280, type Bme280Options } from "./bme280";

export function create(options: Bme280Options): Bme280 {
  const settings: Bme280Options = { bus: options.bus, address: options.address, chip: "bmp280", oversampling: options.oversampling, filter: options.filter };
  return new Bme280(settings);
}
