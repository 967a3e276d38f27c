import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { buildChildEnv } from "./agent-env.ts";
import { LAUNCH_RECORD_VAR, runnerLaunchEnv, withGroveSettings } from "@grove/core/launch";
import { GROVE_ROOT } from "../install-paths.ts";

const TOKEN = "runner-token-for-env-tests-0123456";
const RUN = { GROVE_RUN_ID: "run-1", PORT: "41000" };

describe("buildChildEnv: the user's environment, not grove's", () => {
  it("gives back the values the user had of what the launcher set, and takes out what they did not have", () => {
    const user = { PATH: "/usr/bin", NODE_ENV: "development", MALLOC_ARENA_MAX: "4", PORT: "3000", MY_VAR: "mine" };
    const child = buildChildEnv(runnerLaunchEnv(user, { token: TOKEN }), RUN);
    expect(child).toEqual({ ...user, ...RUN });

    const withoutAny = buildChildEnv(runnerLaunchEnv({ PATH: "/usr/bin" }, { token: TOKEN }), RUN);
    expect(withoutAny).toEqual({ PATH: "/usr/bin", ...RUN });
  });

  it("keeps the user's value recorded by the first of nested launchers", () => {
    const outer = withGroveSettings({ NODE_ENV: "test", PATH: "/usr/bin" }, { NODE_ENV: "production", MALLOC_ARENA_MAX: "2" });
    const inner = withGroveSettings(outer, { NODE_ENV: "staging", MALLOC_ARENA_MAX: "8" });
    expect(buildChildEnv(inner)).toEqual({ NODE_ENV: "test", PATH: "/usr/bin" });
  });

  it("takes out what pnpm and tsx's shim add for grove, and keeps the user's own entries and npm settings", () => {
    const bin = join(GROVE_ROOT, "node_modules", ".bin");
    const shimNodePath = [
      join(GROVE_ROOT, "node_modules", ".pnpm", "tsx@4.23.15", "node_modules"),
      join(GROVE_ROOT, "node_modules", ".pnpm", "node_modules"),
    ];
    const child = buildChildEnv({
      PATH: [bin, bin, "/usr/lib/node_modules/pnpm/dist/node-gyp-bin", "/home/ana/bin", "/usr/bin"].join(":"),
      NODE_PATH: [...shimNodePath, "/opt/ana/node_modules"].join(":"),
      npm_config_user_agent: "pnpm/12.4.2 npm/? node/? linux x64",
      npm_config_registry: "https://npm.example.com/",
      npm_lifecycle_event: "start",
      npm_package_name: "grove",
      pnpm_config_verify_deps_before_run: "false",
      PNPM_PACKAGE_NAME: "grove",
      INIT_CWD: GROVE_ROOT,
    });
    expect(child).toEqual({
      PATH: "/home/ana/bin:/usr/bin",
      NODE_PATH: "/opt/ana/node_modules",
      npm_config_registry: "https://npm.example.com/",
    });

    const onlyGroves = buildChildEnv({ NODE_PATH: shimNodePath.join(":"), PATH: "/usr/bin" });
    expect(onlyGroves).toEqual({ PATH: "/usr/bin" });
  });

  it("takes grove's heap flags out of NODE_OPTIONS and leaves the user's own flags alone", () => {
    expect(buildChildEnv({ NODE_OPTIONS: "--max-old-space-size=80 --enable-source-maps  --max-semi-space-size=8" })).toEqual({
      NODE_OPTIONS: "--enable-source-maps",
    });
    expect(buildChildEnv({ NODE_OPTIONS: "--max-old-space-size=80 --max-semi-space-size=8" })).toEqual({});
    expect(buildChildEnv({ NODE_OPTIONS: "--max-old-space-size=4096  --require ./setup.cjs" })).toEqual({
      NODE_OPTIONS: "--max-old-space-size=4096  --require ./setup.cjs",
    });
  });

  it("never passes on grove's settings and secrets, the launch record or git location overrides, even when the user had them", () => {
    const child = buildChildEnv(
      runnerLaunchEnv(
        {
          GROVE_RUNNER_TOKEN: "the user's own token",
          GROVE_ADMIN_PASSWORD: "hunter22",
          GROVE_AUTH_SECRET: "s",
          GROVE_DATA_DIR: "/home/me/.grove-data",
          GROVE_REPOS: "/home/me/app",
          GROVE_ADMIN_EMAIL: "me@example.com",
          GROVE_HUB_URL: "https://grove.example.com",
          GROVE_DEBUG: "1",
          GIT_DIR: "/elsewhere/.git",
          GROVE_DEMO_DELAY_MS: "5",
        },
        { token: TOKEN },
      ),
    );
    expect(child).toEqual({ GROVE_DEMO_DELAY_MS: "5" });
    expect(LAUNCH_RECORD_VAR in child).toBe(false);
  });

  it("finds grove's checkout from the runner's sources (the bundle sits as deep, in apps/runner/dist)", () => {
    expect(existsSync(join(GROVE_ROOT, "pnpm-workspace.yaml"))).toBe(true);
  });
});
