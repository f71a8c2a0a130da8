// What the node needs from the board beyond hal/platform.ts: the network link (WiFi on ESP
// boards; none on LINUX, where the host's network is already up) and the system services
// (wall time, reset reason, memory, deep sleep). Types only: hal/espruino/wifi.ts and
// hal/espruino/system.ts implement them over Espruino's globals, tests pass fakes.

export interface Network {
  /** Brings the link up and keeps it up; `up` after every (re)connection, `down` with the reason. */
  start(up: () => void, down: (reason: string) => void): void;
  /** Received signal strength in dBm, when known. */
  rssi(): number | undefined;
}

export interface System {
  /** Wall-clock ms since 1970 (Date.now()); before SNTP answers this is near 1970 and not trusted. */
  wallTime(): number;
  /** Why the chip last reset ("power on", "deep sleep", ...). */
  resetReason(): string;
  /** A chip-unique id (MAC or flash id), for the default client id. */
  serial(): string;
  /** Free JS variables (process.memory().free). */
  freeVariables(): number;
  /** Longest single deep sleep the chip can do, ms (ESP32 under Espruino: ~35 min). */
  maxSleep: number;
  /** Sleeps `ms` and wakes by reset (the firmware then boots again). */
  deepSleep(ms: number): void;
  reboot(): void;
}
