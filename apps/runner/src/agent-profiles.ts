import { DomainError, type AgentProfile, type GroveConfig } from "@grove/core";
import { fileURLToPath } from "node:url";

export const DEMO_AGENT_PATH = fileURLToPath(new URL("../agents/demo-agent.mjs", import.meta.url));

/** Profiles every repository has; `agents.<name>` in grove.yaml overrides or adds to them. */
export const BUILT_IN_PROFILES: Readonly<Record<string, AgentProfile>> = {
  demo: { command: [process.execPath, DEMO_AGENT_PATH, "{prompt}"] },
  // stream-json output is rendered into readable lines and its final `result` event is the RESULT of
  // last resort (see claude-stream.ts).
  claude: {
    command: [
      "claude",
      "--print",
      "--output-format",
      "stream-json",
      "--verbose",
      "--permission-mode",
      "acceptEdits",
      "--append-system-prompt",
      "Read the CONTEXT-PACK at {contextPack} before you start: it holds your constraints and where to write your RESULT.",
      "{prompt}",
    ],
  },
  codex: { command: ["codex", "exec", "--full-auto", "{prompt}"] },
  aider: { command: ["aider", "--yes-always", "--no-auto-commits", "--message", "{prompt}"] },
};

/** The profile of that name (grove.yaml's `agents`, then the built-in ones); an unknown name is refused. */
export function findProfile(profileName: string, config: GroveConfig): AgentProfile {
  const profile = config.agents[profileName] ?? BUILT_IN_PROFILES[profileName];
  if (profile) return profile;
  const known = [...new Set([...Object.keys(BUILT_IN_PROFILES), ...Object.keys(config.agents)])].sort();
  throw new DomainError(
    "INVALID_INPUT",
    `Unknown agent profile "${profileName}". Define agents.${profileName}.command in grove.yaml, or use one of: ${known.join(", ")}.`,
  );
}

export type PlaceholderValues = { prompt: string; contextPack: string; result: string };
export type ResolvedAgent = { profile: string; argv: string[]; env: Record<string, string>; timeoutMs: number | undefined };

/**
 * The argv of a run: the profile's command with `{prompt}`, `{contextPack}` and `{result}` filled in.
 * Each placeholder becomes (part of) one argument, in a single pass, so a prompt containing
 * "{result}" stays literal and nothing ever goes through a shell.
 */
export function resolveAgent(profileName: string, config: GroveConfig, values: PlaceholderValues): ResolvedAgent {
  const profile = findProfile(profileName, config);
  const argv = profile.command.map((arg) =>
    arg.replace(/\{(prompt|contextPack|result)\}/g, (_match, key: keyof PlaceholderValues) => values[key]),
  );
  return {
    profile: profileName,
    argv,
    env: profile.env ?? {},
    timeoutMs: profile.timeoutSec === undefined ? undefined : profile.timeoutSec * 1000,
  };
}
