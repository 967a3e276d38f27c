import { z } from "zod";
import { IdSchema } from "./ids.ts";
import { PromptSchema } from "./prompt.ts";

/**
 * A task's later round (review rounds): the same agent on the same task's branch `agent/<agent>/<task-id>`.
 * `continue` keeps the branch and its worktree (re-created from the branch when gone); `fresh` snapshots the old
 * branch under refs/grove/ and starts it again from the integration head. `bringIntegration` (send back) merges
 * the integration branch into the agent's branch before the agent starts; conflicts are left for the agent.
 * The prompt of a round is the task's input built by the hub from the reviewer's comments.
 */
export const RoundSpecSchema = z.object({
  number: z.number().int().min(2).max(100),
  start: z.enum(["continue", "fresh"]).default("continue"),
  /** The previous round's agent session (Run.agentSessionId); absent: the CLI starts a new conversation. */
  resumeSessionId: z
    .string()
    .min(1)
    .max(200)
    .regex(/^[A-Za-z0-9._:][A-Za-z0-9._:-]*$/, "an agent session id is letters, digits and . _ : -, never starting with -")
    .optional(),
  bringIntegration: z.boolean().default(false),
  previousRunId: IdSchema,
});
export type RoundSpec = z.infer<typeof RoundSpecSchema>;

export const TaskSpecSchema = z.object({
  runId: IdSchema,
  agent: z.string().min(1).max(64),
  taskId: z.string().min(1).max(64),
  profile: z.string().min(1).max(64),
  prompt: PromptSchema,
  /** Absent: round 1 (a new branch from the integration head). */
  round: RoundSpecSchema.optional(),
});
export type TaskSpec = z.infer<typeof TaskSpecSchema>;
