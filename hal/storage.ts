// Small named files in flash (Espruino's Storage module: names up to 28 characters).

export interface Storage {
  /** The file's contents, or undefined when there is none. */
  read(name: string): string | undefined;
  write(name: string, data: string): void;
  erase(name: string): void;
  list(): string[];
}
