import { DomainError, type AgentProfile } from "@grove/core";

/**
 * A built-in profile whose later review rounds resume the conversation: the same argv with `resumeArgs` just
 * before the "--" that ends the options, so one list of flags serves both. Checked against the real CLIs in
 * launch/real-agent-resume.test.ts: Claude Code 2.1.328 takes `--resume <session id>` among its options (and
 * keeps the session id); Codex 0.169 takes `exec [its options] resume <thread id> -- <prompt>`, its `exec`
 * options before `resume` applying to the resumed thread (`exec resume` itself has no --sandbox or --add-dir).
 */
export function withResume(resumeArgs: readonly string[], profile: AgentProfile): AgentProfile {
  const end = profile.command.lastIndexOf("--");
  if (end === -1) throw new Error(`a resumable profile ends its options with "--": ${profile.command.join(" ")}`);
  return { ...profile, resume: [...profile.command.slice(0, end), ...resumeArgs, ...profile.command.slice(end)] };
}

/** Which argv a run launches: the resume form when a round names a session and the profile can resume one. */
export function chooseArgvTemplate(
  profile: AgentProfile,
  resumeSessionId: string | undefined,
): { template: string[]; resumed: boolean } {
  if (resumeSessionId === undefined || profile.resume === undefined) return { template: profile.command, resumed: false };
  // It becomes an argument of its own: one beginning with "-" would be read as an option.
  if (resumeSessionId.startsWith("-"))
    throw new DomainError(
      "INVALID_INPUT",
      `Invalid agent session id "${resumeSessionId.slice(0, 80)}": it cannot begin with "-".`,
    );
  return { template: profile.resume, resumed: true };
}
