// An analog input: `read()` returns the ADC reading scaled to 0..1 of the ADC's full range
// (Espruino's analogRead convention). Turning that into volts or percent is calibration,
// which belongs to the analog-input driver.

export interface AnalogInput {
  read(): number;
}
