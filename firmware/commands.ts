// Commands on <prefix>/<node>/cmd (issue 5 §5), as plain words or JSON:
//   reboot | identify | diag | stay-awake | sleep | interval <ms> | interval <sensor> <ms>
//   {"cmd":"interval","sensor":"air","value":5000}   {"cmd":"reboot"}
// A bad payload is answered with a sentence (published in diag), never an exception.

export interface Command {
  name: string;
  sensor?: string;
  value?: number;
}

// One string, not an array: the build inlines a top-level string into the function's text
// (flash on the board), where an array would be ~15 variables for the node's life.
const NAMES = "reboot,identify,diag,stay-awake,sleep,interval";

export function parseCommand(text: string): Command | string {
  let name: unknown;
  let sensor: unknown;
  let value: unknown;
  const trimmed = text.trim();
  if (trimmed.charAt(0) === "{") {
    let parsed: { cmd?: unknown; sensor?: unknown; value?: unknown } | undefined;
    try {
      parsed = JSON.parse(trimmed);
    } catch {
      return "command is not valid JSON";
    }
    if (!parsed || typeof parsed !== "object") return "command JSON must be an object with \"cmd\"";
    name = parsed.cmd;
    sensor = parsed.sensor;
    value = parsed.value;
  } else {
    const words = trimmed.split(" ").filter(function (word) {
      return word !== "";
    });
    if (words.length > 3) return "too many words in command";
    name = words[0];
    if (words.length === 3) sensor = words[1];
    if (words.length > 1) value = Number(words[words.length - 1]);
  }
  if (typeof name !== "string" || NAMES.split(",").indexOf(name) < 0) return "unknown command; use " + NAMES.split(",").join(", ");
  if (sensor !== undefined && typeof sensor !== "string") return "\"sensor\" must be a sensor name";
  if (name !== "interval") return { name: name };
  const ms = value as number;
  if (typeof ms !== "number" || !(ms >= 100 && ms <= 86400000) || ms % 1 !== 0) return "interval needs whole milliseconds, 100 to 86400000";
  return { name: name, sensor: sensor as string | undefined, value: ms };
}
