import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts"],
    // Git through a process spawner, as the runner starts it (process-spawner-setup.ts).
    setupFiles: ["../../packages/core/src/test-support/process-spawner-setup.ts"],
    // Integration tests run real git, real agents and a real socket server.
    testTimeout: 60_000,
    hookTimeout: 30_000,
    // Tests run `grove` as users do, through the bundled CLI: built here once, before any of them.
    globalSetup: ["./src/test-support/bundle-global-setup.ts"],
  },
});
