// MQTT 3.1.1 control packet types (OASIS mqtt-v3.1.1-os, 2.2.1 Table 2.1) and the fixed
// header byte each one must carry. Plain numbers, so esbuild inlines nothing surprising
// and Espruino pays one variable per name.

export const CONNECT = 1;
export const CONNACK = 2;
export const PUBLISH = 3;
export const PUBACK = 4;
export const PUBREC = 5;
export const PUBREL = 6;
export const PUBCOMP = 7;
export const SUBSCRIBE = 8;
export const SUBACK = 9;
export const UNSUBSCRIBE = 10;
export const UNSUBACK = 11;
export const PINGREQ = 12;
export const PINGRESP = 13;
export const DISCONNECT = 14;

/**
 * The flag bits (low nibble of byte 1) every packet type except PUBLISH must carry
 * (2.2.2 Table 2.2): PUBREL, SUBSCRIBE and UNSUBSCRIBE have 0b0010, all others 0.
 * "If invalid flags are received, the receiver MUST close the Network Connection" [MQTT-2.2.2-2].
 */
export function requiredFlags(type: number): number {
  return type === PUBREL || type === SUBSCRIBE || type === UNSUBSCRIBE ? 2 : 0;
}

/** Largest value of the Remaining Length field (2.2.3: at most four bytes). */
export const MAX_REMAINING_LENGTH = 268435455;

/** SUBACK return code for a refused subscription (3.9.3). */
export const SUBSCRIBE_FAILURE = 0x80;
