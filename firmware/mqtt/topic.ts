// Topic names and topic filters (4.7). Lengths are checked on the UTF-8 bytes by the
// caller (at most 65,535 bytes [MQTT-4.7.3-3]).

/**
 * A topic name a client may publish to: at least one character [MQTT-4.7.3-1], no U+0000
 * [MQTT-4.7.3-2], no wildcard characters [MQTT-3.3.2-2].
 */
export function isTopicName(topic: string): boolean {
  return (
    typeof topic === "string" &&
    topic.length > 0 &&
    topic.indexOf("+") < 0 &&
    topic.indexOf("#") < 0 &&
    topic.indexOf("\u0000") < 0
  );
}

/**
 * A topic filter a client may subscribe to: not empty, no U+0000, '#' only as the whole
 * last level [MQTT-4.7.1-2], '+' only as a whole level [MQTT-4.7.1-3].
 */
export function isTopicFilter(filter: string): boolean {
  if (typeof filter !== "string" || filter.length === 0 || filter.indexOf("\u0000") >= 0) return false;
  const levels = filter.split("/");
  const last = levels.length - 1;
  let valid = true;
  levels.forEach((level, i) => {
    if (level.indexOf("#") >= 0 && (level !== "#" || i !== last)) valid = false;
    if (level.indexOf("+") >= 0 && level !== "+") valid = false;
  });
  return valid;
}
