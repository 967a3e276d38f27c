import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts"],
    // Git through a process spawner, as the runner starts it (process-spawner-setup.ts).
    setupFiles: ["../../packages/core/src/test-support/process-spawner-setup.ts"],
    /*
     * One module graph for all the files a worker runs, not one per file: importing the runner's modules again for
     * each of 84 files took 66 s in a 734 s CI run (2026-12-03); without it 7 s, and all 304 tests passed. Each file
     * still gets its own setup file run, repositories, servers and process spawner.
     */
    isolate: false,
    // Integration tests run real git, real agents and a real socket server.
    testTimeout: 60_000,
    hookTimeout: 30_000,
    // Tests run `grove` as users do, through the bundled CLI: built here once, before any of them.
    globalSetup: ["./src/test-support/bundle-global-setup.ts"],
  },
});
