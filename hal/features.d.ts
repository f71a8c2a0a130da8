// Build-time feature switches (tools/build.ts `featuresOf`, substituted by esbuild `define`).
// A switch a board does not need is `false` in its bundle, so esbuild drops the code behind
// it and whatever only that code referenced. On an ESP8266 what costs memory is every
// function object, binding and table alive after boot, not code bytes (design.md §3):
// a feature left out is variables saved. Tests that import firmware modules directly get
// every switch on (test/support/features.ts).
declare const SENSORNODE_FEATURES: {
  /** Some measurement has filters (calibration, smoothing, on-change): firmware/filters.ts. */
  filters: boolean;
  /** The board has a 1-Wire bus (DS18B20). */
  oneWire: boolean;
  /** The board has an analog sensor. */
  analog: boolean;
  /** The broker connection uses TLS. */
  tls: boolean;
  /** MQTT QoS 2, both ways (firmware/mqtt/client.ts). The node application uses QoS 0/1 only. */
  qos2: boolean;
  /** MqttClient.unsubscribe (firmware/mqtt/client.ts). The node application never unsubscribes. */
  unsubscribe: boolean;
  /** Battery mode: the board has a "sleep" section (deep sleep, awake budget, stay-awake). */
  sleep: boolean;
  /** The board has digital outputs (set topics, echoes, identify blinking). */
  outputs: boolean;
};
