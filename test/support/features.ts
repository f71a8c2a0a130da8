// Vitest setup: firmware modules imported directly (not through a board build) see every
// build-time feature switch on (hal/features.d.ts; the build substitutes them per board).
(globalThis as { SENSORNODE_FEATURES?: unknown }).SENSORNODE_FEATURES = { filters: true, oneWire: true, analog: true, tls: true, qos2: true, unsubscribe: true, sleep: true, outputs: true };
