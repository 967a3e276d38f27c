import { MergedTreeTestSchema, OverlapSchema } from "@grove/core";
import {
  DECIDED_MERGE_REQUEST_STATES,
  DISPATCHED_MERGE_REQUEST_STATES,
  isBlockedMergeRequestState,
  WAITING_MERGE_REQUEST_STATES,
  type MergeRequestState,
} from "@grove/core";
import type { Db, Prisma } from "@grove/db";
import { z } from "zod";
import { summaryOf } from "./result-summary.ts";

/**
 * What an approver weighs: tests (the run's, and the merged tree's once the queue ran them), the diff
 * stat, and the merge gate's checks — predicted conflicts, overlaps with other live agent branches and
 * the brain policy. A check the gate has not made yet is null ("not checked").
 */
export type Verdict = {
  tests: { status: string | null; durationMs: number | null };
  diffStat: string | null;
  predictedConflicts: string[] | null;
  overlap: { file: string; branches: string[] }[] | null;
  brainPolicy: { isAllowed: boolean; files: string[]; reason: string | null } | null;
  checkedSha: string | null;
  mergedTreeTest: { status: string; durationMs: number; outputTail: string } | null;
};

// The columns hold what the hub stored from the runner's parsed payloads: read back with the same schemas.
const Files = z.array(z.string());
const Overlaps = z.array(OverlapSchema);
const MergedTreeTest = MergedTreeTestSchema.pick({ status: true, durationMs: true, outputTail: true });

function readJson<T>(text: string | null, schema: z.ZodType<T>): T | null {
  if (text === null) return null;
  try {
    const parsed = schema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

const include = {
  run: {
    select: {
      id: true,
      agent: true,
      taskId: true,
      sessionId: true,
      prompt: true,
      testStatus: true,
      testMs: true,
      diffStat: true,
      result: true,
      baseSha: true,
      refusedActions: true,
      round: true,
    },
  },
} satisfies Prisma.MergeRequestInclude;
const omitDiff = { diff: true } satisfies Prisma.MergeRequestOmit;
type Row = Prisma.MergeRequestGetPayload<{ include: typeof include; omit: typeof omitDiff }>;

export function readVerdict(mr: Row): Verdict {
  const brainFiles = readJson(mr.brainFiles, Files);
  return {
    tests: { status: mr.run.testStatus, durationMs: mr.run.testMs },
    diffStat: mr.run.diffStat,
    predictedConflicts: readJson(mr.conflicts, Files),
    overlap: readJson(mr.overlaps, Overlaps),
    brainPolicy:
      brainFiles === null
        ? null
        : {
            isAllowed: brainFiles.length === 0 && !isBlockedMergeRequestState(mr.state),
            files: brainFiles,
            reason: mr.blockedReason,
          },
    checkedSha: mr.checkedSha,
    mergedTreeTest: readJson(mr.mergedTreeTest, MergedTreeTest),
  };
}

export type ApprovalFilter = "waiting" | "queue" | "decided" | "all";
const STATES: Record<ApprovalFilter, readonly MergeRequestState[] | null> = {
  waiting: WAITING_MERGE_REQUEST_STATES,
  queue: DISPATCHED_MERGE_REQUEST_STATES,
  decided: DECIDED_MERGE_REQUEST_STATES,
  all: null,
};

/**
 * A list's JSON at most (plus its first row, whatever that holds): each row carries text an agent or a
 * runner wrote — the prompt, the diff stat, the RESULT's summary, the merged tree's test output, file lists.
 */
export const APPROVAL_LIST_BYTES = 1024 * 1024;
// Rows are read a few at a time: each one's RESULT (up to 1 MiB) is read to take its summary.
const READ_BATCH = 10;

/**
 * A filter's rows. "Waiting" is what waits for a person: a request to decide, and a failed merge nobody has
 * retried, sent back or abandoned yet (its card holds those actions; it stays under "Decided" too).
 */
function whereOf(filter: ApprovalFilter, states: readonly MergeRequestState[] | null) {
  if (states === null) return undefined;
  const inStates = { state: { in: [...states] } };
  return filter === "waiting" ? { OR: [inStates, { state: "failed" as const, snapshotRef: null }] } : inStates;
}

/** Up to `take` requests, stopping early once their JSON passes APPROVAL_LIST_BYTES. */
export async function listApprovals(db: Db, filter: ApprovalFilter, take = 100) {
  const states = STATES[filter];
  const order = filter === "waiting" || filter === "queue" ? ("asc" as const) : ("desc" as const);
  const views: Awaited<ReturnType<typeof toViews>> = [];
  let bytes = 0;
  for (let skip = 0; skip < take; skip += READ_BATCH) {
    const rows = await db.mergeRequest.findMany({
      where: whereOf(filter, states),
      orderBy: order === "asc" ? [{ createdAt: "asc" }, { id: "asc" }] : [{ updatedAt: "desc" }, { id: "desc" }],
      skip,
      take: Math.min(READ_BATCH, take - skip),
      include,
      omit: omitDiff,
    });
    for (const view of await toViews(db, rows)) {
      const size = Buffer.byteLength(JSON.stringify(view));
      if (views.length > 0 && bytes + size > APPROVAL_LIST_BYTES) return views;
      views.push(view);
      bytes += size;
    }
    if (rows.length < READ_BATCH) break;
  }
  return views;
}

/** One request with its diff (the branch since its fork point, as the merge gate captured it). */
export async function approvalById(db: Db, id: string) {
  const row = await db.mergeRequest.findUnique({ where: { id }, include, omit: omitDiff });
  if (!row) return null;
  const diff = await db.mergeRequest.findUnique({ where: { id }, select: { diff: true, diffTruncated: true } });
  const [view] = await toViews(db, [row]);
  return view ? { ...view, diff: diff?.diff ?? null, diffTruncated: diff?.diffTruncated ?? false } : null;
}

async function toViews(db: Db, rows: Row[]) {
  const deciderIds = [...new Set(rows.flatMap((r) => (r.decidedBy ? [r.decidedBy] : [])))];
  const deciders = new Map(
    (await db.user.findMany({ where: { id: { in: deciderIds } }, select: { id: true, email: true } })).map((u) => [
      u.id,
      u.email,
    ]),
  );
  return rows.map((mr) => ({
    id: mr.id,
    state: mr.state,
    stage: mr.stage,
    branch: mr.branch,
    integration: mr.integration,
    headSha: mr.headSha,
    mergeSha: mr.mergeSha,
    comment: mr.comment,
    error: mr.error,
    blockedReason: mr.blockedReason,
    snapshotRef: mr.snapshotRef,
    createdAt: mr.createdAt,
    decidedAt: mr.decidedAt,
    decidedBy: mr.decidedBy
      ? (deciders.get(mr.decidedBy) ?? (mr.approval === "auto" ? "auto-approval" : "a removed user"))
      : null,
    run: {
      id: mr.run.id,
      agent: mr.run.agent,
      taskId: mr.run.taskId,
      sessionId: mr.run.sessionId,
      prompt: mr.run.prompt,
      baseSha: mr.run.baseSha,
      refusedActions: mr.run.refusedActions,
      round: mr.run.round,
    },
    summary: summaryOf(mr.run.result),
    verdict: readVerdict(mr),
  }));
}
