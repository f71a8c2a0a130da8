// The virtual Espruino board (issue 6): see board.ts for the overview.
export { VirtualBoard, type BoardEvent, type BoardState, type VirtualBoardOptions } from "./board";
export { SimClock, RealClock, runClock, type ClockRun, type RunOptions } from "./scheduler";
export { FlashStorage } from "./flash";
export { WifiNetwork } from "./wifi";
export { SOCKET_ERRORS, type LiveSocket, type NetworkFaults, type NetworkOptions, type ConnectTarget } from "./net";
export { SocketHost, socketHost } from "./socket-host";
export { PROFILES, type BoardProfile } from "./profile";
export type { BoardHardware, EspruinoI2CLike, EspruinoOneWireLike, ResetReason } from "./runtime";
export { describeMissing, MISSING_GLOBALS } from "./realm";
export { wireHardware, type WiredHardware } from "./hardware";
export { boardFromConfig } from "./from-config";
