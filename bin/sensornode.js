#!/usr/bin/env node
// The `sensornode` command. The tools are TypeScript; tsx runs them without a compile step.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../tools/cli.ts");
process.exitCode = await main(process.argv);
