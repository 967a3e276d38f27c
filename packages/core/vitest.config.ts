import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts"],
    // Integration tests run real git on real repositories; twenty concurrent worktrees take a while.
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
