import { defineConfig } from "vitest/config";

// initdb and a server start take a few seconds on a busy machine.
export default defineConfig({ test: { include: ["src/**/*.test.ts"], testTimeout: 60_000, hookTimeout: 60_000 } });
