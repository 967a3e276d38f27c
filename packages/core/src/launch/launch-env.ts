import { z } from "zod";
import { RUNNER_ENV, RUNNER_NODE_ARGS } from "./process-options.ts";

export type Env = Readonly<Record<string, string | undefined>>;

/**
 * Set by a grove launcher for the runner: JSON naming each variable the launcher set or overrode, with the
 * value the user had (null: unset). The runner gives its children those values back (user-env.ts), so an
 * agent never runs with grove's own process settings.
 */
export const LAUNCH_RECORD_VAR = "GROVE_LAUNCH_ENV";
const LaunchRecordSchema = z.record(z.string(), z.string().nullable());

/**
 * `base` with grove's `settings` on top, recording what they replaced; of nested launchers, the first record
 * of a variable wins. Typed as `base` is, so that it still is the ProcessEnv a caller's types ask for.
 */
export function withGroveSettings<E extends Env>(base: E, settings: Readonly<Record<string, string>>): E & Env {
  const record = readLaunchRecord(base) ?? new Map<string, string | null>();
  for (const key of Object.keys(settings)) if (!record.has(key)) record.set(key, base[key] ?? null);
  return Object.assign({ ...base }, settings, { [LAUNCH_RECORD_VAR]: JSON.stringify(Object.fromEntries(record)) });
}

/** The user's values of the variables a launcher set (a null value: the user had none); null if the record is unreadable. */
export function readLaunchRecord(env: Env): Map<string, string | null> | null {
  const text = env[LAUNCH_RECORD_VAR];
  if (text === undefined) return new Map();
  try {
    return new Map(Object.entries(LaunchRecordSchema.parse(JSON.parse(text))));
  } catch {
    return null;
  }
}

/**
 * The environment `pnpm start` (scripts/start.ts) gives the runner, shared with the tests that start it that
 * way: the user's, plus only what the runner itself needs (the web process's NODE_ENV, PORT and secrets are
 * not its business), recorded.
 */
export function runnerLaunchEnv<E extends Env>(user: E, launch: { token: string }): E & Env {
  return withGroveSettings(user, { GROVE_RUNNER_TOKEN: launch.token, ...RUNNER_ENV });
}

/** The node arguments that start the runner with its node flags; `entry` is the bundle, or a loader and the sources. */
export function runnerLaunchArgs(
  entry: readonly string[],
  opts: { hubUrl: string; dataDir: string; repos: readonly string[] },
): string[] {
  return [
    ...RUNNER_NODE_ARGS,
    ...entry,
    "runner",
    "--hub",
    opts.hubUrl,
    "--data-dir",
    opts.dataDir,
    ...opts.repos.flatMap((repo) => ["--repo", repo]),
  ];
}
