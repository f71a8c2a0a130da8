// Coded errors. Espruino cannot subclass Error (`class X extends Error` is broken, and `e.name`
// is undefined), so an error is a plain Error with a `code` string that callers switch on.

export type ErrorCode =
  | "nack" // no device answered at that address
  | "bus" // bus stuck or other bus failure
  | "crc" // checksum mismatch
  | "not-ready" // conversion not finished
  | "wrong-chip" // chip id does not match the driver
  | "invalid-options" // options object rejected before touching hardware
  | "timeout"
  | "closed"
  | "refused" // network connection refused / unresolvable
  | "protocol"; // malformed data from a peer

export interface CodedError extends Error {
  code: ErrorCode;
}

export function codedError(code: ErrorCode, message: string): CodedError {
  const error = new Error(message) as CodedError;
  error.code = code;
  return error;
}

export function errorCode(error: unknown): ErrorCode | undefined {
  if (error && typeof error === "object" && "code" in error) {
    return (error as CodedError).code;
  }
  return undefined;
}
