// Topic names and topic filters (4.7). Lengths are checked on the UTF-8 bytes by the
// caller (at most 65,535 bytes [MQTT-4.7.3-3]).

/**
 * A topic name a client may publish to (`filter` false): at least one character
 * [MQTT-4.7.3-1], no U+0000 [MQTT-4.7.3-2], no wildcard characters [MQTT-3.3.2-2].
 * A topic filter a client may subscribe to (`filter` true): not empty, no U+0000, '#' only
 * as the whole last level [MQTT-4.7.1-2], '+' only as a whole level [MQTT-4.7.1-3].
 * One function for both: on the ESP8266 every function alive costs ~4 variables.
 */
export function isTopic(topic: string, filter: boolean): boolean {
  if (typeof topic !== "string" || topic.length === 0 || topic.indexOf("\u0000") >= 0) return false;
  if (!filter) return topic.indexOf("+") < 0 && topic.indexOf("#") < 0;
  const levels = topic.split("/");
  const last = levels.length - 1;
  let valid = true;
  levels.forEach((level, i) => {
    if (level.indexOf("#") >= 0 && (level !== "#" || i !== last)) valid = false;
    if (level.indexOf("+") >= 0 && level !== "+") valid = false;
  });
  return valid;
}

export function isTopicName(topic: string): boolean {
  return isTopic(topic, false);
}

export function isTopicFilter(filter: string): boolean {
  return isTopic(filter, true);
}
