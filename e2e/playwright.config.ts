import { defineConfig, devices } from "@playwright/test";
import { E2E_BASE_URL, E2E_PORT } from "./stack.ts";

const launchOptions = {
  executablePath: "/usr/bin/chromium",
  args: ["--no-sandbox", "--headless", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking"],
};

export default defineConfig({
  testDir: "./tests",
  // Per port: two runs on one machine (different E2E_PORT) do not wipe each other's traces.
  outputDir: `./test-results/${E2E_PORT}`,
  timeout: 120_000,
  expect: { timeout: 20_000 },
  fullyParallel: false,
  workers: 1,
  forbidOnly: Boolean(process.env.CI),
  retries: 0,
  reporter: [["list"], ["html", { open: "never", outputFolder: `playwright-report/${E2E_PORT}` }]],
  use: { baseURL: E2E_BASE_URL, trace: "retain-on-failure", screenshot: "only-on-failure" },
  projects: [
    // First run happens once per database: the setup project creates the first admin, then both device projects run.
    { name: "setup", testMatch: /first-run\.setup\.ts/, use: { ...devices["Desktop Chrome"], launchOptions } },
    { name: "desktop", testMatch: /\.spec\.ts/, dependencies: ["setup"], use: { ...devices["Desktop Chrome"], launchOptions } },
    {
      name: "phone",
      testMatch: /\.spec\.ts/,
      dependencies: ["setup"],
      use: { ...devices["Pixel 7"], viewport: { width: 390, height: 844 }, launchOptions },
    },
  ],
  webServer: {
    command: "node --import tsx start-stack.ts",
    cwd: import.meta.dirname,
    url: `${E2E_BASE_URL}/api/health`,
    reuseExistingServer: false,
    timeout: 120_000,
    stdout: "pipe",
    stderr: "pipe",
    env: { GROVE_DEMO_DELAY_MS: "150", NEXT_TELEMETRY_DISABLED: "1" },
  },
});
