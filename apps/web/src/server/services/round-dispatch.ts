import { DomainError, RoundSpecSchema, type RoundSpec, type SessionBudget, type TaskSpec } from "@grove/core";
import { recordReportedRunState, type Db, type PreviousRound } from "@grove/db";
import { RUNNER_UNREACHABLE, type Hub } from "../hub/create-hub.ts";
import { settleEarlierRounds } from "./round-end.ts";

type Deps = { db: Db; hub: Hub };

/** A run with what a later round needs of it: the task, its branch, its head and the agent's conversation. */
export type RoundRun = PreviousRound & {
  state: string;
  error: string | null;
  agentSessionId: string | null;
  session: {
    id: string;
    runnerId: string;
    repoPath: string;
    integration: string;
    budgetUsd: number | null;
    budgetTokens: number | null;
  };
};

export const roundRunInclude = { session: true } as const;

/** The first round's prompt: what the task is, whatever later rounds asked. */
export async function originalPromptOf(db: Db, run: RoundRun): Promise<string> {
  if (run.round === 1) return (await db.run.findUniqueOrThrow({ where: { id: run.id }, select: { prompt: true } })).prompt;
  const first = await db.run.findFirst({
    where: { sessionId: run.sessionId, agent: run.agent, taskId: run.taskId, round: 1 },
    select: { prompt: true },
  });
  return first?.prompt ?? "";
}

/** Refused before anything is written: a round no runner can take would only fail. */
export function assertRunnerOnline(hub: Hub, run: RoundRun): void {
  if (!hub.isRunnerOnline(run.session.runnerId))
    throw new DomainError("RUNNER_OFFLINE", "The runner that owns this repository is offline; start it, then try again.");
}

/** The conversation a `continue` round resumes: the previous round's, when its CLI reported one grove can pass on. */
export function resumeSessionOf(previous: Pick<RoundRun, "agentSessionId">, start: RoundSpec["start"]): string | undefined {
  if (start !== "continue" || !previous.agentSessionId) return undefined;
  const parsed = RoundSpecSchema.shape.resumeSessionId.safeParse(previous.agentSessionId);
  return parsed.success ? parsed.data : undefined;
}

function budgetOf(session: RoundRun["session"]): SessionBudget | undefined {
  if (session.budgetUsd === null && session.budgetTokens === null) return undefined;
  return {
    ...(session.budgetUsd !== null ? { usd: session.budgetUsd } : {}),
    ...(session.budgetTokens !== null ? { tokens: session.budgetTokens } : {}),
  };
}

/**
 * Hands a new round's run to the runner as a one-task session:start carrying `round`. A runner that cannot
 * take it leaves the round failed, saying why, so it can be re-run; nothing is deleted.
 */
export async function dispatchRound(
  deps: Deps,
  input: {
    previous: RoundRun;
    runId: string;
    round: number;
    start: RoundSpec["start"];
    bringIntegration: boolean;
    resumeSessionId: string | undefined;
  },
): Promise<void> {
  const { db, hub } = deps;
  const { previous } = input;
  const run = await db.run.findUniqueOrThrow({ where: { id: input.runId } });
  const { resumeSessionId } = input;
  const task: TaskSpec = {
    runId: run.id,
    agent: run.agent,
    taskId: run.taskId,
    profile: run.profile,
    prompt: run.prompt,
    round: {
      number: input.round,
      start: input.start,
      bringIntegration: input.bringIntegration,
      previousRunId: previous.id,
      ...(resumeSessionId ? { resumeSessionId } : {}),
    },
  };
  const budget = budgetOf(previous.session);
  const ack = await hub.startSession(previous.session.runnerId, {
    sessionId: previous.session.id,
    repoPath: previous.session.repoPath,
    integration: previous.session.integration,
    tasks: [task],
    ...(budget ? { budget } : {}),
  });
  if (!ack.ok) {
    await recordReportedRunState(db, {
      runId: run.id,
      state: "failed",
      at: Date.now(),
      error: `The runner could not start round ${input.round}: ${ack.error}`,
    });
    await settleEarlierRounds(deps, run.id);
  }
  hub.broadcastChanged({ scope: "sessions", id: previous.session.id });
  hub.broadcastChanged({ scope: "runs", id: run.id });
  if (ack.ok) return;
  const unreachable = ack.error === RUNNER_UNREACHABLE.offline || ack.error === RUNNER_UNREACHABLE.timedOut;
  throw new DomainError(
    unreachable ? "RUNNER_OFFLINE" : "INVALID_INPUT",
    `Round ${input.round} is recorded, but the runner could not start it: ${ack.error}. Re-run it once the runner can take it.`,
  );
}
