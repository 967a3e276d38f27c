import {
  DomainError,
  isMergeRequestState,
  openMergeRequest,
  transitionMergeRequest,
  type MergeRequestAuditAction,
  type MergeRequestEvent,
  type MergeRequestState,
  type TransitionRefusalCode,
} from "@grove/core";
import { withAuditedTransaction, type AuditInput, type AuditEventDto, type Tx } from "./audit.ts";
import type { Db, Prisma } from "./client.ts";

/**
 * The merge requests' repository: the only code that writes a merge request. Every state change is core's
 * transition applied as one compare-and-swap on the state the caller read, with the audit events the
 * transition implies, in one transaction.
 */

/** The audit fields of each event a transition implies (the action is the transition's). */
export type MergeAuditOf = (action: MergeRequestAuditAction) => Omit<AuditInput, "action">;
/** The columns a step may set besides the state (which is the transition's alone). */
export type MergeRequestPatch = Omit<Prisma.MergeRequestUncheckedUpdateManyInput, "id" | "state" | "runId">;

export type MergeRequestStep =
  | { kind: "applied"; state: MergeRequestState; events: AuditEventDto[] }
  | { kind: "refused"; code: TransitionRefusalCode; reason: string }
  /** The row was no longer in the state the caller read (or no longer matched its guard): nothing written. */
  | { kind: "lost" };

/** A stored state, checked against core's list: a row in a state core does not know is a bug, not a case. */
export function mergeRequestStateOf(row: { id: string; state: string }): MergeRequestState {
  if (!isMergeRequestState(row.state))
    throw new DomainError("INVALID_INPUT", `merge request ${row.id} is in an unknown state "${row.state}"`);
  return row.state;
}

/** Opens a request for a run's head (open, or blocked by the brain policy); null when that head already has one. */
export async function createMergeRequest(
  db: Db,
  input: {
    data: Omit<Prisma.MergeRequestUncheckedCreateInput, "state">;
    isBlocked: boolean;
    audit: (action: MergeRequestAuditAction, id: string) => Omit<AuditInput, "action">;
  },
) {
  const opened = openMergeRequest({ isBlocked: input.isBlocked });
  const open = withAuditedTransaction(db, async (tx) => {
    const existing = await tx.mergeRequest.findFirst({
      where: { runId: input.data.runId, headSha: input.data.headSha },
      select: { id: true },
    });
    if (existing) return { value: null, audit: [] };
    const row = await tx.mergeRequest.create({ data: { ...input.data, state: opened.state } });
    return { value: row, audit: opened.audit.map((action) => ({ ...input.audit(action, row.id), action })) };
  });
  // P2002 on (runId, headSha): another instance opened it between the check and the insert.
  const isOpenedElsewhere = (error: unknown) => error instanceof Error && (error as Error & { code?: unknown }).code === "P2002";
  const { value } = await open.catch((error: unknown) => {
    if (isOpenedElsewhere(error)) return { value: null };
    throw error;
  });
  return value;
}

/**
 * Applies `event` to the request the caller read in state `from`: refused (nothing written) when core
 * refuses it in that state, lost (nothing written) when the row moved on meanwhile or no longer matches
 * `guard`; otherwise the new state, `data`, the implied audit events and `alsoIn` commit together.
 */
export async function applyMergeRequestEvent(
  db: Db,
  input: {
    id: string;
    from: MergeRequestState;
    event: MergeRequestEvent;
    /** Required when the step implies audit events (a step that implies none may leave it out). */
    audit?: MergeAuditOf;
    guard?: { headSha?: string };
    data?: MergeRequestPatch;
    alsoIn?: (tx: Tx) => Promise<unknown>;
    /** Further work in the same transaction that brings audit events of its own (appended after the step's). */
    andThen?: (tx: Tx) => Promise<readonly AuditInput[]>;
  },
): Promise<MergeRequestStep> {
  const step = transitionMergeRequest(input.from, input.event);
  if (!step.ok) return { kind: "refused", code: step.code, reason: step.reason };
  const auditOf = input.audit;
  if (step.audit.length > 0 && !auditOf)
    throw new Error(
      `merge request ${input.id}: "${input.event}" implies ${step.audit.join(", ")}, and the caller gave no audit fields`,
    );
  const { value, events } = await withAuditedTransaction(db, async (tx) => {
    const swapped = await tx.mergeRequest.updateMany({
      where: {
        id: input.id,
        state: input.from,
        ...(input.guard?.headSha ? { headSha: input.guard.headSha } : {}),
      },
      data: { ...input.data, state: step.state },
    });
    if (swapped.count !== 1) return { value: false, audit: [] };
    await input.alsoIn?.(tx);
    const further = (await input.andThen?.(tx)) ?? [];
    return {
      value: true,
      audit: [...(auditOf ? step.audit.map((action) => ({ ...auditOf(action), action })) : []), ...further],
    };
  });
  return value ? { kind: "applied", state: step.state, events } : { kind: "lost" };
}

const CURRENT_STATE_ATTEMPTS = 5;

/**
 * For facts that hold whatever the hub last wrote (the runner's merge result, its queue's stage, a resend):
 * applies `event` to the request's current state, reading it again when another write won the race.
 * Null when the request does not exist.
 */
export async function applyMergeRequestEventToCurrent(
  db: Db,
  input: Omit<Parameters<typeof applyMergeRequestEvent>[1], "from">,
): Promise<MergeRequestStep | null> {
  for (let attempt = 1; ; attempt++) {
    const row = await db.mergeRequest.findUnique({
      where: { id: input.id },
      select: { id: true, state: true },
    });
    if (!row) return null;
    const step = await applyMergeRequestEvent(db, { ...input, from: mergeRequestStateOf(row) });
    if (step.kind !== "lost" || attempt >= CURRENT_STATE_ATTEMPTS) return step;
  }
}

/** Columns that are no step of the lifecycle (the gate's checks, the diff), written only while the request is still `from`. */
export async function updateMergeRequestFacts(
  db: Db,
  input: { id: string; from: MergeRequestState; data: MergeRequestPatch },
): Promise<boolean> {
  const updated = await db.mergeRequest.updateMany({
    where: { id: input.id, state: input.from },
    data: input.data,
  });
  return updated.count === 1;
}

/** A finished branch head's diff, kept with every request of that head (whatever its state). */
export async function recordMergeRequestDiff(
  db: Db,
  input: {
    runnerId: string;
    repoPath: string;
    branch: string;
    headSha: string;
    diff: string;
    diffTruncated: boolean;
  },
): Promise<number> {
  const updated = await db.mergeRequest.updateMany({
    where: {
      branch: input.branch,
      headSha: input.headSha,
      run: { session: { runnerId: input.runnerId, repoPath: input.repoPath } },
    },
    data: { diff: input.diff, diffTruncated: input.diffTruncated },
  });
  return updated.count;
}
