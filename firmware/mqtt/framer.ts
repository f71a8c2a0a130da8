// Streaming framer: bytes in arbitrary chunks (split or coalesced) -> whole packets.
// It reads byte 1 and the Remaining Length (2.2), refuses a packet larger than `maxSize`
// as soon as its length is known (before allocating or buffering any of it), then copies
// the body into one buffer of exactly that size. It never throws: problems come back as
// a string and the framer is dead from then on (the connection is to be closed).

import { PUBLISH, requiredFlags } from "./constants";

/** Receives one packet: byte 1 and the body. Return a string to stop the framer. */
export type PacketHandler = (first: number, body: Uint8Array) => string | undefined;

/** Feeds a chunk; returns undefined while all is well, else why the stream must end. */
export type Framer = (chunk: Uint8Array) => string | undefined;

export function createFramer(maxSize: number, onPacket: PacketHandler): Framer {
  let first = -1; // byte 1 of the packet being read, -1 between packets
  let length = 0; // Remaining Length so far
  let lengthBytes = 0; // Remaining Length bytes read so far
  let body: Uint8Array | undefined; // allocated once the length is known
  let fill = 0;
  let failure: string | undefined;

  return function (chunk: Uint8Array): string | undefined {
    let i = 0;
    const size = chunk.length;
    while (failure === undefined && i < size) {
      if (!body) {
        const byte = chunk[i++]!;
        if (first < 0) {
          // Byte 1 is checked at once, not when the body is complete: reserved types 0 and
          // 15, reserved flag bits [MQTT-2.2.2-2], PUBLISH with QoS 3 [MQTT-3.3.1-4].
          const type = byte >> 4;
          if (type === 0 || type === 15 || (type === PUBLISH ? (byte & 6) === 6 : (byte & 15) !== requiredFlags(type))) {
            failure = "protocol: bad byte 1: " + byte;
          }
          first = byte;
          length = 0;
          lengthBytes = 0;
          continue;
        }
        length += (byte & 127) << (7 * lengthBytes++);
        if (byte & 128) {
          // 2.2.3: at most four bytes of Remaining Length.
          if (lengthBytes === 4) failure = "protocol: malformed remaining length";
          continue;
        }
        if (1 + lengthBytes + length > maxSize) {
          failure = "too-large: " + (1 + lengthBytes + length) + " bytes > " + maxSize;
          continue;
        }
        body = new Uint8Array(length);
        fill = 0;
      } else {
        const take = Math.min(length - fill, size - i);
        body.set(chunk.subarray(i, i + take), fill);
        fill += take;
        i += take;
      }
      if (fill === length) {
        const packetFirst = first;
        const packetBody = body;
        first = -1;
        body = undefined;
        failure = onPacket(packetFirst, packetBody);
      }
    }
    return failure;
  };
}
