import { defineConfig } from "vitest/config";

// ESLint loads the repository's whole config (and typescript-eslint) once per test file.
export default defineConfig({ test: { include: ["src/**/*.test.ts"], testTimeout: 60_000 } });
