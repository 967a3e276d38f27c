import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts"],
    // Integration tests run real git on real repositories; twenty concurrent worktrees take a while.
    // Git through a process spawner, as the runner starts it (process-spawner-setup.ts).
    setupFiles: ["./src/test-support/process-spawner-setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
