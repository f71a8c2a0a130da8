import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Tests against real processes (Mosquitto, sockets) wait for events with generous limits;
    // a slow CI machine must not turn into a flaky one.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
    // Firmware modules imported directly see every build-time feature switch on.
    setupFiles: ["test/support/features.ts"],
  },
});
