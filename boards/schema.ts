// The board file schema: the one source of truth for boards/*.json.
// It yields the TypeScript types (Static<...>) used by the firmware and the tools, and
// boards/schema.json (written by `npm run schema`, checked up to date by the tests) which
// editors use through "$schema": "./schema.json".
//
// Cross-references that JSON Schema cannot express (a sensor names an existing bus, a pin
// is used once, no WiFi on LINUX) are checked in tools/config.ts, with the same error format.
import { Type, type Static } from "@sinclair/typebox";

/** One of a few literal values, as a JSON Schema enum (one clear error, not one per branch). */
function oneOf<T extends string | number>(values: readonly T[], options: { description: string; default?: NoInfer<T> }) {
  return Type.Unsafe<T>({ enum: values, ...options });
}

/** A topic template: no wildcards; tokens in braces. */
const TEMPLATE_PATTERN = "^[^#+]{1,128}$";

const NAME_PATTERN = "^[a-z0-9][a-z0-9_-]{0,31}$";
const NAME_HINT = "1 to 32 characters: lowercase letters, digits, '-' and '_', starting with a letter or digit";
/** A value written as "${NAME}" is a secret, resolved at build time. */
export const SECRET_PATTERN = "^\\$\\{[A-Z_][A-Z0-9_]*\\}$";

function name(description: string) {
  return Type.String({ pattern: NAME_PATTERN, description: `${description} (${NAME_HINT}).` });
}

/** A pin name as Espruino knows it: D0..D39, or a board alias such as NodeMCU.D2. */
const Pin = Type.String({
  pattern: "^(D[0-9]{1,2}|NodeMCU\\.D[0-9]{1,2}|A0)$",
  description: "A pin as Espruino names it: D0..D39 (ESP32, ESP8266 GPIO numbers), NodeMCU.D0..D10 on ESP8266 NodeMCU boards, A0 for the ESP8266 analog input.",
  examples: ["D21", "NodeMCU.D2"],
});

const Interval = Type.Integer({
  minimum: 100,
  maximum: 86_400_000,
  default: 60_000,
  description: "How often to read, in milliseconds (100 ms to 24 h).",
});

/** A string that may be a "${SECRET}" reference instead of a literal. */
function secretable(description: string, maxLength: number) {
  return Type.String({
    maxLength,
    description: `${description} Write "\${NAME}" to take it from the environment variable NAME or from secrets.json next to the board file (git-ignored); the value never appears in logs or reports.`,
  });
}

const Wifi = Type.Object(
  {
    ssid: Type.String({ minLength: 1, maxLength: 32, description: "Network name (SSID)." }),
    password: Type.Optional(secretable("WiFi password (WPA2: 8 to 63 characters).", 64)),
  },
  { additionalProperties: false, description: "WiFi station settings (ESP32 and ESP8266 only; a LINUX board uses the host's network)." },
);

const Mqtt = Type.Object(
  {
    host: Type.String({ minLength: 1, maxLength: 253, description: "Broker host name or IP address." }),
    port: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 65535, description: "Broker TCP port. Default 1883, or 8883 with tls." }),
    ),
    tls: Type.Optional(Type.Boolean({ default: false, description: "Connect with TLS (ESP32 and LINUX; ESP8266 has no TLS)." })),
    username: Type.Optional(secretable("Broker user name.", 128)),
    password: Type.Optional(secretable("Broker password.", 128)),
    keepAlive: Type.Optional(
      Type.Integer({ minimum: 5, maximum: 65535, default: 60, description: "MQTT keepalive in seconds (the unit on the wire)." }),
    ),
    clientId: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 23,
        pattern: "^[0-9A-Za-z_-]+$",
        description: "MQTT client id. Default: sensornode-<node>-<chip serial>, unique per board. Two boards with the same id kick each other off the broker.",
      }),
    ),
  },
  { additionalProperties: false, description: "MQTT broker connection." },
);

const I2cBus = Type.Object(
  {
    name: name("Bus name that sensors refer to"),
    scl: Pin,
    sda: Pin,
    bitrate: Type.Optional(
      Type.Integer({ minimum: 10_000, maximum: 1_000_000, default: 100_000, description: "Clock in Hz (100000 standard, 400000 fast mode)." }),
    ),
  },
  { additionalProperties: false, description: "An I2C bus. ESP32: hardware I2C1/I2C2; ESP8266: software I2C." },
);

const OneWireBus = Type.Object(
  {
    name: name("Bus name that sensors refer to"),
    pin: Pin,
  },
  { additionalProperties: false, description: "A 1-Wire bus on one pin (4.7 kOhm pull-up to 3.3 V)." },
);

/** What happens to one measurement before it is published (firmware/filters.ts). */
const Measurement = Type.Object(
  {
    name: Type.Optional(name("Topic level for this measurement (default: the quantity, e.g. temperature)")),
    unit: Type.Optional(Type.String({ maxLength: 8, description: "Unit shown to Home Assistant; changes the label only, not the value." })),
    decimals: Type.Optional(Type.Integer({ minimum: 0, maximum: 4, description: "Decimals published (default 1; 0 for lux, 2 for analog)." })),
    multiply: Type.Optional(Type.Number({ description: "Calibration: value * multiply + offset." })),
    offset: Type.Optional(Type.Number({ description: "Calibration: value * multiply + offset (e.g. -0.8 for a sensor that reads warm)." })),
    min: Type.Optional(Type.Number({ description: "Clamp: values below become min." })),
    max: Type.Optional(Type.Number({ description: "Clamp: values above become max." })),
    median: Type.Optional(Type.Integer({ minimum: 2, maximum: 15, description: "Median of the last N readings (removes spikes)." })),
    average: Type.Optional(Type.Integer({ minimum: 2, maximum: 100, description: "Exponential moving average over N readings." })),
    delta: Type.Optional(Type.Number({ exclusiveMinimum: 0, description: "Publish only when the value moved by at least this much..." })),
    heartbeat: Type.Optional(Type.Integer({ minimum: 1000, description: "...or when this many ms passed since the last publish." })),
    throttle: Type.Optional(Type.Integer({ minimum: 100, description: "At most one publish per this many ms." })),
  },
  { additionalProperties: false, description: "Filters and presentation of one measurement." },
);

const common = {
  name: name("Sensor name, used in topics"),
  interval: Type.Optional(Interval),
  measurements: Type.Optional(
    Type.Record(Type.String({ pattern: "^[a-z]+$" }), Measurement, {
      description: "Per measurement (temperature, humidity, pressure, illuminance, or the analog measurement name): filters, decimals, unit.",
    }),
  ),
};

function i2cSensor<T extends string>(type: T, addresses: number[], description: string) {
  return Type.Object(
    {
      type: Type.Literal(type),
      ...common,
      bus: name("Name of the I2C bus (from \"i2c\")"),
      address: Type.Optional(
        oneOf(addresses, {
          description: `I2C address: ${addresses.map((a) => `${a} (0x${a.toString(16)})`).join(" or ")}. Default ${addresses[0]}.`,
          default: addresses[0],
        }),
      ),
    },
    { additionalProperties: false, description },
  );
}


const Bme280 = i2cSensor("bme280", [0x76, 0x77], "Bosch BME280: temperature, humidity, pressure.");
const Bmp280 = i2cSensor("bmp280", [0x76, 0x77], "Bosch BMP280: temperature, pressure.");
const Sht3x = i2cSensor("sht3x", [0x44, 0x45], "Sensirion SHT30/31/35: temperature, humidity.");
const Bh1750 = i2cSensor("bh1750", [0x23, 0x5c], "ROHM BH1750: illuminance.");
const Aht20 = i2cSensor("aht20", [0x38], "ASAIR AHT20: temperature, humidity.");
const Ds18b20 = Type.Object(
  {
    type: Type.Literal("ds18b20"),
    ...common,
    bus: name("Name of the 1-Wire bus (from \"onewire\")"),
    rom: Type.Optional(
      Type.String({ pattern: "^28[0-9a-fA-F]{14}$", description: "ROM code of one sensor (16 hex digits starting with 28). Default: every DS18B20 found on the bus." }),
    ),
    resolution: Type.Optional(oneOf([9, 10, 11, 12], { description: "Bits: 9 (94 ms) to 12 (750 ms). Default 12.", default: 12 })),
  },
  { additionalProperties: false, description: "Maxim DS18B20 temperature sensor(s) on a 1-Wire bus." },
);
const Analog = Type.Object(
  {
    type: Type.Literal("analog"),
    ...common,
    pin: Pin,
    measurement: Type.Optional(name("Measurement name in topics (default \"voltage\")")),
    unit: Type.Optional(Type.String({ maxLength: 8, description: "Unit of the calibrated value, e.g. V or %." })),
    scale: Type.Optional(Type.Number({ default: 1, description: "value = raw (0..1) * scale + offset." })),
    offset: Type.Optional(Type.Number({ default: 0, description: "value = raw (0..1) * scale + offset." })),
  },
  { additionalProperties: false, description: "An analog input with linear calibration (battery divider, soil moisture)." },
);

export const SENSOR_TYPES = ["bme280", "bmp280", "sht3x", "bh1750", "aht20", "ds18b20", "analog"] as const;
export type SensorType = (typeof SENSOR_TYPES)[number];

// ajv's `discriminator` keyword turns "one of seven shapes" into one precise error about the
// shape the user meant (selected by "type"), instead of seven unrelated ones.
const SensorUnion = Type.Unsafe<SensorConfig>({
  type: "object",
  description: "A sensor. \"type\" selects the chip; the other fields depend on it.",
  required: ["type"],
  discriminator: { propertyName: "type" },
  oneOf: [Bme280, Bmp280, Sht3x, Bh1750, Aht20, Ds18b20, Analog],
});

const Input = Type.Object(
  {
    name: name("Input name, used in topics"),
    pin: Pin,
    kind: Type.Optional(
      oneOf(["button", "motion", "door"] as const, {
        description: "What is wired: button, motion (PIR) or door (reed contact). Sets the Home Assistant device class.",
      }),
    ),
    pull: Type.Optional(oneOf(["up", "down", "none"] as const, { default: "up", description: "Internal pull resistor." })),
    invert: Type.Optional(Type.Boolean({ default: false, description: "Report the opposite level (for contacts that pull to ground when active)." })),
    debounce: Type.Optional(Type.Integer({ minimum: 0, maximum: 1000, default: 50, description: "Debounce window in milliseconds." })),
    longPress: Type.Optional(Type.Integer({ minimum: 100, maximum: 60000, description: "Report a long press after this many milliseconds held." })),
  },
  { additionalProperties: false, description: "A digital input: edges are published immediately." },
);

const Output = Type.Object(
  {
    name: name("Output name, used in topics (<prefix>/<node>/<output>/set)"),
    pin: Pin,
    initial: Type.Optional(Type.Boolean({ default: false, description: "State at boot." })),
    invert: Type.Optional(Type.Boolean({ default: false, description: "Drive the pin low for ON (active-low relay boards)." })),
  },
  { additionalProperties: false, description: "A digital output (relay, LED), switched over MQTT." },
);

export const BOARD_KINDS = ["ESP32", "ESP8266", "LINUX"] as const;

export const BoardSchema = Type.Object(
  {
    $schema: Type.Optional(Type.String({ description: "Path to this schema, for editors: \"./schema.json\"." })),
    node: name("Node id, unique in your installation; used in topics and the client id"),
    board: oneOf(BOARD_KINDS, {
      description: "ESP32, ESP8266, or LINUX (Espruino on Linux or a Raspberry Pi: network already up, no WiFi module).",
    }),
    wifi: Type.Optional(Wifi),
    mqtt: Mqtt,
    topicPrefix: Type.Optional(
      Type.String({ pattern: "^[^#+]{1,64}$", default: "sensornode", description: "First topic level(s): <prefix>/<node>/... (no MQTT wildcards)." }),
    ),
    i2c: Type.Optional(Type.Array(I2cBus, { maxItems: 2, description: "I2C buses (ESP32 has two hardware buses)." })),
    onewire: Type.Optional(Type.Array(OneWireBus, { maxItems: 4, description: "1-Wire buses." })),
    sensors: Type.Optional(Type.Array(SensorUnion, { maxItems: 16, description: "Sensors to read and publish." })),
    inputs: Type.Optional(Type.Array(Input, { maxItems: 16, description: "Digital inputs." })),
    outputs: Type.Optional(Type.Array(Output, { maxItems: 16, description: "Digital outputs." })),
    topics: Type.Optional(
      Type.Object(
        {
          status: Type.Optional(Type.String({ pattern: TEMPLATE_PATTERN, description: "Default {prefix}/{node}/status." })),
          reading: Type.Optional(Type.String({ pattern: TEMPLATE_PATTERN, description: "Default {prefix}/{node}/{sensor}/{measurement}." })),
          diag: Type.Optional(Type.String({ pattern: TEMPLATE_PATTERN, description: "Default {prefix}/{node}/diag." })),
          cmd: Type.Optional(Type.String({ pattern: TEMPLATE_PATTERN, description: "Default {prefix}/{node}/cmd." })),
        },
        { additionalProperties: false, description: "Topic templates. Tokens: {prefix}, {node}, {sensor}, {measurement}." },
      ),
    ),
    payload: Type.Optional(
      oneOf(["plain", "json"] as const, {
        default: "plain",
        description: "plain: the value alone (\"21.4\"); json: {\"device\",\"measurement\",\"value\",\"unit\",\"timestamp\"} as the seeds' publisher sends.",
      }),
    ),
    retain: Type.Optional(Type.Boolean({ default: false, description: "Publish readings retained (the status and output states are always retained)." })),
    status: Type.Optional(
      Type.Object(
        {
          online: Type.Optional(Type.String({ minLength: 1, maxLength: 32, default: "online" })),
          offline: Type.Optional(Type.String({ minLength: 1, maxLength: 32, default: "offline" })),
          sleeping: Type.Optional(Type.String({ minLength: 1, maxLength: 32, default: "sleeping" })),
        },
        { additionalProperties: false, description: "Status payloads (Home Assistant's online/offline by default)." },
      ),
    ),
    discovery: Type.Optional(Type.Boolean({ default: true, description: "Announce entities to Home Assistant (MQTT discovery under homeassistant/)." })),
    buffer: Type.Optional(
      Type.Integer({ minimum: 0, maximum: 10000, description: "Readings kept while MQTT is down (default 64 on ESP8266, 1000 elsewhere); the oldest are dropped and counted beyond it." }),
    ),
    sleep: Type.Optional(
      Type.Object(
        {
          interval: Type.Integer({ minimum: 10_000, maximum: 86_400_000, description: "Deep sleep between wakes, in ms (ESP32 sleeps are chained beyond ~35 min)." }),
          awake: Type.Optional(Type.Integer({ minimum: 2_000, maximum: 600_000, default: 20_000, description: "Hard limit on time awake per wake, in ms: with no network by then, readings are kept in flash and the node sleeps anyway." })),
        },
        { additionalProperties: false, description: "Battery mode: wake, read, deliver, sleep. Without it the node stays awake." },
      ),
    ),
    sntp: Type.Optional(Type.String({ minLength: 1, maxLength: 64, default: "pool.ntp.org", description: "SNTP server for the time stamps (ESP boards)." })),
    diagInterval: Type.Optional(Type.Integer({ minimum: 10_000, maximum: 86_400_000, default: 300_000, description: "How often to publish diagnostics, in ms." })),
  },
  {
    additionalProperties: false,
    title: "sensornode board",
    description: "One sensor node: the board, its network, and what is wired to it. Validate with `npx sensornode validate`.",
  },
);

export type BoardConfig = Static<typeof BoardSchema>;
export type SensorConfig = Static<typeof Bme280> | Static<typeof Bmp280> | Static<typeof Sht3x> | Static<typeof Bh1750> | Static<typeof Aht20> | Static<typeof Ds18b20> | Static<typeof Analog>;
export type InputConfig = Static<typeof Input>;
export type OutputConfig = Static<typeof Output>;
export type I2cBusConfig = Static<typeof I2cBus>;
export type OneWireBusConfig = Static<typeof OneWireBus>;
export type BoardKind = (typeof BOARD_KINDS)[number];

/** The JSON Schema document written to boards/schema.json. */
export function boardJsonSchema(): object {
  return {
    $schema: "http://json-schema.org/draft-07/schema#",
    ...JSON.parse(JSON.stringify(BoardSchema)),
  };
}
