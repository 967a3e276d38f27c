import { basename, delimiter, isAbsolute, sep } from "node:path";
import { LAUNCH_RECORD_VAR, readLaunchRecord, RUNNER_NODE_ARGS, type Env } from "@grove/core/launch";
import { GROVE_ROOT } from "../install-paths.ts";

// What pnpm and npm set for the script they run (`pnpm start`, `pnpm grove …`): facts about grove's
// package, which would mislead a package manager or a tool the user's repository runs.
const PACKAGE_MANAGER_VARS = new Set([
  "INIT_CWD",
  "NODE",
  "PNPM_PACKAGE_NAME",
  "PNPM_SCRIPT_SRC_DIR",
  "npm_command",
  "npm_config_user_agent",
  "npm_execpath",
  "npm_lifecycle_event",
  "npm_lifecycle_script",
  "npm_node_execpath",
  "npm_package_json",
  "pnpm_config_verify_deps_before_run",
]);
const GROVE_NODE_FLAGS = new Set(RUNNER_NODE_ARGS);

/**
 * The environment the user started grove with, rebuilt from the runner's own: what a grove launcher set is
 * given back its user's value (its record, core's launch/launch-env.ts); what pnpm adds to a script's environment goes,
 * and so do the entries of PATH and NODE_PATH inside grove's own node_modules (pnpm's `.bin` folders, the
 * NODE_PATH of tsx's shim: a repository's tests must not find grove's dependencies) and grove's own heap
 * flags in NODE_OPTIONS. Everything else is the user's, kept as it is.
 */
export function userEnvOf(env: Env, groveRoot: string = GROVE_ROOT): Record<string, string> {
  // An unreadable record (the runner refuses to start with one) gives nothing back.
  const record = readLaunchRecord(env) ?? new Map<string, string | null>();
  const user: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (value === undefined || key === LAUNCH_RECORD_VAR || record.has(key) || isPackageManagerVar(key)) continue;
    user[key] = value;
  }
  for (const [key, value] of record) if (value !== null && !isPackageManagerVar(key)) user[key] = value;

  clean(user, "PATH", (list) => withoutGrovePaths(list, groveRoot));
  clean(user, "NODE_PATH", (list) => withoutGrovePaths(list, groveRoot));
  clean(user, "NODE_OPTIONS", withoutGroveFlags);
  return user;
}

/** Replaces `env[key]` by what `keep` keeps of it; emptied by that, the variable goes (the user had none of it). */
function clean(env: Record<string, string>, key: "PATH" | "NODE_PATH" | "NODE_OPTIONS", keep: (value: string) => string): void {
  const value = env[key];
  if (value === undefined) return;
  const kept = keep(value);
  if (kept === value) return;
  if (kept === "") delete env[key];
  else env[key] = kept;
}

function isPackageManagerVar(key: string): boolean {
  return PACKAGE_MANAGER_VARS.has(key) || key.startsWith("npm_package_");
}

function withoutGrovePaths(list: string, groveRoot: string): string {
  const entries = list.split(delimiter);
  const kept = entries.filter((entry) => !isGrovePath(entry, groveRoot));
  return kept.length === entries.length ? list : kept.join(delimiter);
}

function isGrovePath(entry: string, groveRoot: string): boolean {
  // node-gyp-bin: the folder of node-gyp shims pnpm and npm put first on a script's PATH.
  if (basename(entry) === "node-gyp-bin") return true;
  return isAbsolute(entry) && entry.startsWith(groveRoot) && entry.split(sep).includes("node_modules");
}

function withoutGroveFlags(options: string): string {
  const words = options.split(/\s+/).filter((word) => word !== "");
  const kept = words.filter((word) => !GROVE_NODE_FLAGS.has(word));
  return kept.length === words.length ? options : kept.join(" ");
}
