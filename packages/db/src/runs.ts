import {
  DomainError,
  isRunState,
  isTerminalRunState,
  RUN_STATES,
  transitionRun,
  type RunState,
  type TransitionRefusalCode,
} from "@grove/core";
import type { Db, Prisma } from "./client.ts";

/**
 * The runs' repository: the only code that writes a run's state. A run is created queued; each state its
 * runner reports is core's transition applied as a compare-and-swap on the state read. No run step implies
 * a hub audit event (the runner audits its runs' facts itself).
 */

export type RunStep =
  { kind: "applied"; state: RunState } | { kind: "refused"; code: TransitionRefusalCode; reason: string } | { kind: "lost" };

export function runStateOf(row: { id: string; state: string }): RunState {
  if (!isRunState(row.state)) throw new DomainError("INVALID_INPUT", `run ${row.id} is in an unknown state "${row.state}"`);
  return row.state;
}

/** Where a new run starts. */
export const FIRST_RUN_STATE: RunState = RUN_STATES[0];

/** The rows of a new session's runs, each in the first state. */
export function queuedRunsData<T extends object>(tasks: readonly T[]): (T & { state: RunState })[] {
  return tasks.map((task) => ({ ...task, state: FIRST_RUN_STATE }));
}

type Reported = {
  runId: string;
  state: RunState;
  at: number;
  worktreePath?: string;
  baseSha?: string;
  error?: string;
  waiting?: string;
};

const CURRENT_STATE_ATTEMPTS = 5;

/** Records a state the runner reported against the run's current state (read again if a write won the race). */
export async function recordReportedRunState(db: Db, report: Reported): Promise<RunStep> {
  for (let attempt = 1; ; attempt++) {
    const run = await db.run.findUniqueOrThrow({
      where: { id: report.runId },
      select: { id: true, state: true, startedAt: true },
    });
    const step = await applyReportedRunState(db, run, report);
    if (step.kind !== "lost" || attempt >= CURRENT_STATE_ATTEMPTS) return step;
  }
}

/**
 * Applies a state the runner reported to the run as read, with what came along. A report core refuses (a
 * step back, a change after the end) writes nothing; so does one that lost a race with another write.
 */
export async function applyReportedRunState(
  db: Db,
  run: { id: string; state: string; startedAt: Date | null },
  report: Reported,
): Promise<RunStep> {
  const from = runStateOf(run);
  const step = transitionRun(from, { type: "reported", state: report.state });
  if (!step.ok) return { kind: "refused", code: step.code, reason: step.reason };
  const at = new Date(report.at);
  const swapped = await db.run.updateMany({
    where: { id: run.id, state: from },
    data: {
      state: step.state,
      worktreePath: report.worktreePath ?? undefined,
      baseSha: report.baseSha ?? undefined,
      error: report.error ?? undefined,
      // Every report says whether the run still waits: one without a reason clears the last.
      waiting: report.waiting ?? null,
      startedAt: step.state === "running" && !run.startedAt ? at : undefined,
      endedAt: isTerminalRunState(step.state) ? at : undefined,
    },
  });
  return swapped.count === 1 ? { kind: "applied", state: step.state } : { kind: "lost" };
}

/** What a runner reported at a run's end (exit, head, tests, RESULT): facts beside the state, not a step of it. */
export async function recordRunReport(
  db: Db,
  runId: string,
  data: Omit<Prisma.RunUncheckedUpdateInput, "id" | "state" | "sessionId">,
): Promise<void> {
  await db.run.update({ where: { id: runId }, data });
}
