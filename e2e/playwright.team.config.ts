import { defineConfig } from "@playwright/test";
import base from "./playwright.config.ts";
import { E2E_BASE_URL } from "./stack.ts";

// The core flow (first run, sign in, start a session, watch the live logs, approve, see it merged) against
// instance A while the runner is connected to instance B, on PostgreSQL + Redis. Run with its own E2E_PORT
// (scripts/test-e2e.sh), so that its data dir is not the single-instance run's.
export default defineConfig({
  ...base,
  projects: (base.projects ?? [])
    .filter((project) => project.name !== "phone")
    .map((project) => (project.name === "desktop" ? { ...project, name: "team", testMatch: /02-team-flow\.spec\.ts/ } : project)),
  webServer: {
    command: "node --import tsx start-team-stack.ts",
    cwd: import.meta.dirname,
    url: `${E2E_BASE_URL}/api/health`,
    reuseExistingServer: false,
    timeout: 180_000,
    stdout: "pipe",
    stderr: "pipe",
    env: { GROVE_DEMO_DELAY_MS: "150", NEXT_TELEMETRY_DISABLED: "1" },
  },
});
