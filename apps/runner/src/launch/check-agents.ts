import type { AgentCheck, GroveConfig } from "@grove/core";
import { findExecutable, probeCli } from "@grove/core/node";
import { basename } from "node:path";
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
  const profile = findProfile(name, config);
  const source = Object.hasOwn(config.agents, name) ? "grove.yaml" : "built-in";
  const command = profile.command[0] ?? "";
  const base = { profile: name, source, command: command.slice(0, 4096), cli: null, testedVersion: null } as const;
  const env = buildChildEnv(o.env, profile.env ?? {});
  const path = findExecutable(command, env, o.cwd);
  if (path === null) {
    const untested = UNTESTED_AGENT_CLIS[basename(command)];
    const note = `not installed: "${command}" is not an executable on the PATH agents get${untested ? `; untested: ${untested}` : ""}`;
    return { ...base, path: null, version: null, verdict: "missing", note };
  }
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
