import { describeUnenforceableBudget, DomainError, type AgentCheck, type GroveConfig, type SessionBudget } from "@grove/core";
import { findExecutable, probeCli } from "@grove/core/node";
import { basename } from "node:path";
import { agentOutputFormat } from "../log/agent-output.ts";
import { buildChildEnv } from "./agent-env.ts";
import { BUILT_IN_PROFILES, findProfile } from "./agent-profiles.ts";
import { judgeVersionOutput, UNTESTED_AGENT_CLIS } from "@grove/core/launch";

// `--version` is a quick question: a CLI that takes longer, or prints more, is not answering it.
const VERSION_TIMEOUT_MS = 5_000;
const VERSION_MAX_BYTES = 4_096;
// At most this many `--version`s at once: a grove.yaml may name many profiles, and the machine runs agents.
// (The hub waits 30 s for an answer: the built-in four and a few of grove.yaml's fit in one round.)
const PARALLEL_PROBES = 8;

/**
 * Every profile a repository offers (built-in and grove.yaml's, sorted by name), each checked as its agent
 * would start: its program looked up on the PATH of the environment an agent gets (the user's, with the
 * profile's own `env`), then asked `--version`, which is judged against the CLIs grove's tests run.
 */
export async function checkAgents(
  config: GroveConfig,
  o: { env: Readonly<Record<string, string | undefined>>; cwd: string },
): Promise<AgentCheck[]> {
  const names = [...new Set([...Object.keys(BUILT_IN_PROFILES), ...Object.keys(config.agents)])].sort();
  const checks: AgentCheck[] = [];
  for (let at = 0; at < names.length; at += PARALLEL_PROBES) {
    checks.push(...(await Promise.all(names.slice(at, at + PARALLEL_PROBES).map((name) => checkProfile(name, config, o)))));
  }
  return checks;
}

async function checkProfile(
  name: string,
  config: GroveConfig,
  o: { env: Readonly<Record<string, string | undefined>>; cwd: string },
): Promise<AgentCheck> {
  const { source, command, env, path } = locateProfile(name, config, o);
  const base = { profile: name, source, command: command.slice(0, 4096), cli: null, testedVersion: null } as const;
  if (path === null) return { ...base, path: null, version: null, verdict: "missing", note: describeMissing(command) };
  // The demo agent is a script grove ships; its program is node, whose version says nothing about it.
  if (source === "built-in" && name === "demo") {
    return { ...base, path, version: null, verdict: "bundled", note: "grove's scripted demo agent, bundled with the runner" };
  }
  const probe = await probeCli([path, "--version"], {
    env,
    cwd: o.cwd,
    timeoutMs: VERSION_TIMEOUT_MS,
    maxBytes: VERSION_MAX_BYTES,
  });
  if (probe.error !== null || probe.timedOut || probe.exitCode !== 0) {
    const why =
      probe.error ??
      (probe.timedOut ? `gave no answer within ${VERSION_TIMEOUT_MS / 1000} s` : `exited with code ${probe.exitCode ?? "?"}`);
    const said = probe.output === "" ? "" : `: ${probe.output.split("\n")[0]?.slice(0, 300) ?? ""}`;
    return { ...base, path, version: null, verdict: "no-version", note: `"${basename(command)} --version" ${why}${said}` };
  }
  return { ...base, path, ...judgeVersionOutput(probe.output, basename(command)) };
}

/** A profile's program, looked up as its agent would start: on the PATH of the user's environment with the profile's `env`. */
function locateProfile(name: string, config: GroveConfig, o: { env: Readonly<Record<string, string | undefined>>; cwd: string }) {
  const profile = findProfile(name, config);
  const source: AgentCheck["source"] = Object.hasOwn(config.agents, name) ? "grove.yaml" : "built-in";
  const command = profile.command[0] ?? "";
  const env = buildChildEnv(o.env, profile.env ?? {});
  return { profile, source, command, env, path: findExecutable(command, env, o.cwd) };
}

function describeMissing(command: string): string {
  const untested = UNTESTED_AGENT_CLIS[basename(command)];
  return `not installed: "${command}" is not an executable on the PATH agents get${untested ? `; untested: ${untested}` : ""}`;
}

/**
 * Before a session creates anything: every task's profile must have its program installed (as `grove agents
 * check` finds it), and the session's budget must be one its agents' CLIs report against. Throws naming every
 * missing CLI, or the agent a budget could not stop.
 */
export function assertSessionAgentsReady(
  profiles: readonly string[],
  repo: { repo: string; config: GroveConfig },
  budget: SessionBudget | undefined,
  env: Readonly<Record<string, string | undefined>> = process.env,
): void {
  const missing: string[] = [];
  for (const name of new Set(profiles)) {
    const { command, path, profile } = locateProfile(name, repo.config, { env, cwd: repo.repo });
    if (path === null) {
      missing.push(`profile "${name}": ${describeMissing(command)}`);
      continue;
    }
    const unstoppable = describeUnenforceableBudget(budget, { profile: name, format: agentOutputFormat(profile.command) });
    if (unstoppable) throw new DomainError("INVALID_INPUT", `The session was not started: ${unstoppable}. Nothing was created.`);
  }
  if (missing.length === 0) return;
  throw new DomainError(
    "INVALID_INPUT",
    `The session was not started: ${missing.length === 1 ? "a CLI its tasks need is" : "CLIs its tasks need are"} not installed (nothing was created):\n` +
      `${missing.map((line) => `  ${line}`).join("\n")}\nInstall ${missing.length === 1 ? "it" : "them"} (\`grove agents check\` lists every profile), or give those tasks another profile.`,
  );
}
