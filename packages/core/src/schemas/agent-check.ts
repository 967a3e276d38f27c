import { z } from "zod";

/**
 * `grove agents check` for one agent profile, as the CLI prints it and a runner answers the hub's
 * `agents:check`: is its CLI on the PATH an agent gets, which version, and did grove's tests run that version.
 *
 * - `tested`: a CLI grove knows, at the version its tests run.
 * - `other-version`: a CLI grove knows, at another version (it may work; grove's tests did not run it).
 * - `untested`: a CLI grove has no test of (aider, or one of your own).
 * - `missing`: the command is not on the PATH (or not executable).
 * - `no-version`: it is there, but `--version` failed or timed out.
 * - `bundled`: grove's own demo agent, which ships with the runner.
 */
export const AgentCheckVerdictSchema = z.enum(["tested", "other-version", "untested", "missing", "no-version", "bundled"]);
export type AgentCheckVerdict = z.infer<typeof AgentCheckVerdictSchema>;

export const MAX_AGENT_CHECKS = 200;

export const AgentCheckSchema = z.object({
  profile: z.string().min(1).max(200),
  source: z.enum(["built-in", "grove.yaml"]),
  /** The profile's program, as its command names it. */
  command: z.string().max(4096),
  /** Where that program resolves for an agent; null when it does not. */
  path: z.string().max(4096).nullable(),
  /** The version the CLI reports (or the first line of what `--version` printed). */
  version: z.string().max(200).nullable(),
  /** The CLI grove recognised from that output (`claude`, `codex`), else null. */
  cli: z.string().max(50).nullable(),
  /** The version grove's tests run for that CLI, else null. */
  testedVersion: z.string().max(50).nullable(),
  verdict: AgentCheckVerdictSchema,
  /** The verdict in words, with what to do about it. */
  note: z.string().max(1000),
});
export type AgentCheck = z.infer<typeof AgentCheckSchema>;

export const AgentsCheckRequestSchema = z.object({ repoPath: z.string().min(1).max(4096) });
export const AgentsCheckAnswerSchema = z.object({ checks: z.array(AgentCheckSchema).max(MAX_AGENT_CHECKS) });
export type AgentsCheckAnswer = z.infer<typeof AgentsCheckAnswerSchema>;
