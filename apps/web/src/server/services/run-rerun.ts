import { buildRoundPrompt, DomainError, isRerunnableRunState, type RoundSpec } from "@grove/core";
import { createRoundRun, type Db } from "@grove/db";
import type { SessionUser } from "../auth/sessions.ts";
import type { Hub } from "../hub/create-hub.ts";
import { assertRunnerOnline, dispatchRound, originalPromptOf, resumeSessionOf, roundRunInclude } from "./round-dispatch.ts";

/**
 * Runs a task again after a round that ended without anything to review (failed, interrupted, cancelled):
 * `continue` on the same branch (resuming the agent's conversation), `fresh` from the integration head (the
 * runner snapshots the old branch first).
 */
export async function rerunRun(
  deps: { db: Db; hub: Hub },
  user: SessionUser,
  input: { runId: string; start: RoundSpec["start"] },
): Promise<{ runId: string; round: number }> {
  const { db, hub } = deps;
  const previous = await db.run.findUnique({ where: { id: input.runId }, include: roundRunInclude });
  if (!previous) throw new DomainError("NOT_FOUND", "That run does not exist.");
  if (!isRerunnableRunState(previous.state))
    throw new DomainError(
      "INVALID_INPUT",
      `This run is ${previous.state}; only a run that ended failed, with no changes, needing input, interrupted or cancelled can be run again (request changes on a succeeded one's merge request).`,
    );
  assertRunnerOnline(hub, previous);
  const prompt = buildRoundPrompt({
    kind: "rerun",
    round: previous.round + 1,
    taskId: previous.taskId,
    branch: previous.branch,
    originalPrompt: await originalPromptOf(db, previous),
    previousState: previous.state,
    previousError: previous.error,
  });
  const resumeSessionId = resumeSessionOf(previous, input.start);
  const created = await createRoundRun(db, {
    previous,
    resumeSessionId,
    prompt,
    reason: "rerun",
    start: input.start,
    bringIntegration: false,
    actor: user.email,
  });
  await dispatchRound(deps, { previous, ...created, start: input.start, bringIntegration: false, resumeSessionId });
  return created;
}
