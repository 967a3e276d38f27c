import { RUNNER_ENV, RUNNER_NODE_ARGS } from "./node-options.ts";

export type Env = Readonly<Record<string, string | undefined>>;
export type RunnerLaunch = { port: string; dataDir: string; token: string };

/** The environment `pnpm start` (scripts/start.ts) gives the runner, shared with the tests that start it that way. */
export function runnerLaunchEnv(user: Env, launch: RunnerLaunch): Record<string, string> {
  return {
    ...definedOnly(user),
    NEXT_TELEMETRY_DISABLED: "1",
    TURBO_TELEMETRY_DISABLED: "1",
    NODE_ENV: "production",
    PORT: launch.port,
    GROVE_DATA_DIR: launch.dataDir,
    GROVE_RUNNER_TOKEN: launch.token,
    ...RUNNER_ENV,
  };
}

/** The node arguments that start the runner with its node flags; `entry` is the bundle, or a loader and the sources. */
export function runnerLaunchArgs(entry: readonly string[], opts: { hubUrl: string; dataDir: string; repos: readonly string[] }): string[] {
  return [...RUNNER_NODE_ARGS, ...entry, "runner", "--hub", opts.hubUrl, "--data-dir", opts.dataDir, ...opts.repos.flatMap((repo) => ["--repo", repo])];
}

function definedOnly(env: Env): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) if (value !== undefined) out[key] = value;
  return out;
}
