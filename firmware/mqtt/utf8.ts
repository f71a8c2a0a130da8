// UTF-8 by hand. Espruino has no TextEncoder, and on ESP boards its strings are 8-bit
// (a character above 255 loses its high byte), so every string that goes on the wire is
// turned into bytes here, and bytes from the wire are checked here (1.5.3).

/**
 * Encodes a JavaScript string (UTF-16 code units) as UTF-8. A lone surrogate cannot be
 * sent ("ill-formed UTF-8", [MQTT-1.5.3-1]) and becomes U+FFFD.
 */
export function encodeUtf8(text: string): Uint8Array {
  const count = text.length;
  let size = 0;
  for (let i = 0; i < count; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) size += 1;
    else if (code < 0x800) size += 2;
    else if (code >= 0xd800 && code < 0xdc00 && i + 1 < count && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      size += 4;
      i++;
    } else size += 3;
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (let i = 0; i < count; i++) {
    let code = text.charCodeAt(i);
    if (code < 0x80) {
      out[at++] = code;
    } else if (code < 0x800) {
      out[at++] = 0xc0 | (code >> 6);
      out[at++] = 0x80 | (code & 63);
    } else {
      if (code >= 0xd800 && code < 0xe000) {
        const next = i + 1 < count ? text.charCodeAt(i + 1) : 0;
        if (code < 0xdc00 && (next & 0xfc00) === 0xdc00) {
          code = 0x10000 + ((code - 0xd800) << 10) + (next - 0xdc00);
          i++;
          out[at++] = 0xf0 | (code >> 18);
          out[at++] = 0x80 | ((code >> 12) & 63);
          out[at++] = 0x80 | ((code >> 6) & 63);
          out[at++] = 0x80 | (code & 63);
          continue;
        }
        code = 0xfffd;
      }
      out[at++] = 0xe0 | (code >> 12);
      out[at++] = 0x80 | ((code >> 6) & 63);
      out[at++] = 0x80 | (code & 63);
    }
  }
  return out;
}

/**
 * Decodes bytes[start..end) as UTF-8. Returns undefined for ill-formed input (overlong
 * forms, surrogates, beyond U+10FFFF, truncated sequences) [MQTT-1.5.3-1] and for U+0000
 * [MQTT-1.5.3-2]: the caller must then close the connection. U+FEFF is kept [MQTT-1.5.3-3].
 */
export function decodeUtf8(bytes: Uint8Array, start: number, end: number): string | undefined {
  let text = "";
  let i = start;
  while (i < end) {
    const first = bytes[i++]!;
    if (first < 0x80) {
      if (first === 0) return undefined;
      text += String.fromCharCode(first);
      continue;
    }
    let extra: number;
    let code: number;
    let least: number;
    if (first >= 0xc2 && first < 0xe0) {
      extra = 1;
      code = first & 31;
      least = 0x80;
    } else if (first >= 0xe0 && first < 0xf0) {
      extra = 2;
      code = first & 15;
      least = 0x800;
    } else if (first >= 0xf0 && first < 0xf5) {
      extra = 3;
      code = first & 7;
      least = 0x10000;
    } else return undefined;
    if (i + extra > end) return undefined;
    while (extra-- > 0) {
      const next = bytes[i++]!;
      if ((next & 0xc0) !== 0x80) return undefined;
      code = (code << 6) | (next & 63);
    }
    if (code < least || code > 0x10ffff || (code >= 0xd800 && code < 0xe000)) return undefined;
    if (code >= 0x10000) {
      code -= 0x10000;
      text += String.fromCharCode(0xd800 + (code >> 10), 0xdc00 + (code & 1023));
    } else text += String.fromCharCode(code);
  }
  return text;
}
