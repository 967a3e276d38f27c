import type { AgentCheckVerdict } from "../schemas/agent-check.ts";

/**
 * The agent CLIs grove's tests run, at the versions apps/runner pins as devDependencies: the built-in
 * `claude` and `codex` profiles are checked against exactly these (launch/real-agent-profiles.test.ts
 * fails when the installed version is another). `versionOutput` reads the version out of what
 * `<cli> --version` prints, which is also how `grove agents check` recognises the CLI behind any profile.
 * `resumeArgs` go just before the "--" that ends the built-in profile's options to resume a conversation in a
 * later review round (apps/runner launch/real-agent-resume.test.ts runs them).
 */
export const TESTED_AGENT_CLIS = {
  claude: {
    packageName: "@anthropic-ai/claude-code",
    bin: "claude",
    version: "2.1.328",
    versionOutput: /^(\d+\.\d+\.\d+\S*) \(Claude Code\)/m,
    resumeArgs: ["--resume", "{resumeSessionId}"],
  },
  codex: {
    packageName: "@openai/codex",
    bin: "codex",
    version: "0.169.0",
    versionOutput: /^codex-cli (\d+\.\d+\.\d+\S*)/m,
    // `exec [options] resume <id> -- <prompt>`: exec's own options apply to the resumed thread.
    resumeArgs: ["resume", "{resumeSessionId}"],
  },
} as const;
export type TestedAgentCli = keyof typeof TESTED_AGENT_CLIS;

/** CLIs with a built-in profile that no test of grove runs, and why. */
export const UNTESTED_AGENT_CLIS: Readonly<Record<string, string>> = {
  aider: "aider cannot be installed where grove is tested (its package registry is not reachable), so no test runs it",
};

export type VersionVerdict = {
  cli: TestedAgentCli | null;
  version: string | null;
  testedVersion: string | null;
  verdict: AgentCheckVerdict;
  note: string;
};

/** What `--version` printed, judged against the tested CLIs; `program` is the command's file name. */
export function judgeVersionOutput(output: string, program: string): VersionVerdict {
  for (const cli of Object.keys(TESTED_AGENT_CLIS) as TestedAgentCli[]) {
    const { version: testedVersion, versionOutput } = TESTED_AGENT_CLIS[cli];
    const version = versionOutput.exec(output)?.[1];
    if (version === undefined) continue;
    if (version === testedVersion)
      return { cli, version, testedVersion, verdict: "tested", note: `${cli} ${version}: the version grove's tests run` };
    return {
      cli,
      version,
      testedVersion,
      verdict: "other-version",
      note: `${cli} ${version}: grove's tests run ${testedVersion}; this version may take other flags (npm install -g ${TESTED_AGENT_CLIS[cli].packageName}@${testedVersion} to match)`,
    };
  }
  const firstLine =
    output
      .split("\n")
      .find((line) => line.trim() !== "")
      ?.trim()
      .slice(0, 200) ?? null;
  const why = UNTESTED_AGENT_CLIS[program] ?? "not a CLI grove's tests run; its profile is yours to check";
  return { cli: null, version: firstLine, testedVersion: null, verdict: "untested", note: `untested: ${why}` };
}
