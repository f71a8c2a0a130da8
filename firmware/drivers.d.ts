// "sensornode:drivers" is generated per board by tools/build.ts: only the drivers the board
// uses, keyed by sensor type ("bme280", ...) plus "input" and "output".
declare module "sensornode:drivers" {
  import type { Sensor } from "../hal/sensor";
  export const drivers: { [kind: string]: (options: any) => Sensor<any> | any };
}
