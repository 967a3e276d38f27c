import type { Db, Prisma } from "@grove/db";
import { z } from "zod";
import { summaryOf } from "./result-summary.ts";

/**
 * What an approver weighs: tests, diff stat, and — once the merge gate records them on the merge
 * request — predicted conflicts, the overlap radar and the brain policy. Those arrive as optional
 * fields (JSON text or values), so each is read defensively; null means "not checked".
 */
export type Verdict = {
  tests: { status: string | null; durationMs: number | null };
  diffStat: string | null;
  predictedConflicts: string[] | null;
  overlap: { file: string; branches: string[] }[] | null;
  brainPolicy: { isAllowed: boolean; files: string[]; reason: string | null } | null;
};

const Files = z.array(z.string());
const Overlap = z.array(z.object({ file: z.string(), branches: z.array(z.string()) }));
const BrainPolicy = z.union([
  z.object({ ok: z.boolean(), files: Files.default([]), reason: z.string().nullish() }).transform((v) => ({ isAllowed: v.ok, files: v.files, reason: v.reason ?? null })),
  z.object({ allowed: z.boolean(), files: Files.default([]), reason: z.string().nullish() }).transform((v) => ({ isAllowed: v.allowed, files: v.files, reason: v.reason ?? null })),
  Files.transform((files) => ({ isAllowed: files.length === 0, files, reason: null })),
]);

function field<T>(record: object, names: string[], schema: z.ZodType<T>): T | null {
  for (const name of names) {
    const raw: unknown = Object.entries(record).find(([key]) => key === name)?.[1];
    if (raw === undefined || raw === null) continue;
    let value: unknown = raw;
    if (typeof raw === "string") {
      try {
        value = JSON.parse(raw);
      } catch {
        continue;
      }
    }
    const parsed = schema.safeParse(value);
    if (parsed.success) return parsed.data;
  }
  return null;
}

export function readVerdict(mr: object, run: { testStatus: string | null; testMs: number | null; diffStat: string | null }): Verdict {
  return {
    tests: { status: run.testStatus, durationMs: run.testMs },
    diffStat: run.diffStat,
    predictedConflicts: field(mr, ["predictedConflicts", "conflicts", "conflictFiles"], Files),
    overlap: field(mr, ["overlap", "overlaps"], Overlap),
    brainPolicy: field(mr, ["brainPolicy", "brainVerdict", "brainFiles"], BrainPolicy),
  };
}

const include = {
  run: { select: { id: true, agent: true, taskId: true, sessionId: true, prompt: true, testStatus: true, testMs: true, diffStat: true, result: true, baseSha: true } },
} satisfies Prisma.MergeRequestInclude;

export type ApprovalFilter = "waiting" | "queue" | "decided" | "all";
const STATES: Record<ApprovalFilter, string[] | null> = {
  waiting: ["open"],
  queue: ["approved", "merging"],
  decided: ["approved", "merging", "merged", "rejected", "failed"],
  all: null,
};

export async function listApprovals(db: Db, filter: ApprovalFilter, take = 100) {
  const states = STATES[filter];
  const rows = await db.mergeRequest.findMany({
    where: states ? { state: { in: states } } : undefined,
    orderBy: filter === "waiting" ? { createdAt: "asc" } : { updatedAt: "desc" },
    take,
    include,
  });
  return toViews(db, rows);
}

export async function approvalById(db: Db, id: string) {
  const row = await db.mergeRequest.findUnique({ where: { id }, include });
  return row ? ((await toViews(db, [row]))[0] ?? null) : null;
}

type Row = Prisma.MergeRequestGetPayload<{ include: typeof include }>;

async function toViews(db: Db, rows: Row[]) {
  const deciderIds = [...new Set(rows.flatMap((r) => (r.decidedBy ? [r.decidedBy] : [])))];
  const deciders = new Map((await db.user.findMany({ where: { id: { in: deciderIds } }, select: { id: true, email: true } })).map((u) => [u.id, u.email]));
  return rows.map((mr) => ({
    id: mr.id,
    state: mr.state,
    branch: mr.branch,
    integration: mr.integration,
    headSha: mr.headSha,
    mergeSha: mr.mergeSha,
    comment: mr.comment,
    error: mr.error,
    createdAt: mr.createdAt,
    decidedAt: mr.decidedAt,
    decidedBy: mr.decidedBy ? (deciders.get(mr.decidedBy) ?? "a removed user") : null,
    run: { id: mr.run.id, agent: mr.run.agent, taskId: mr.run.taskId, sessionId: mr.run.sessionId, prompt: mr.run.prompt, baseSha: mr.run.baseSha },
    summary: summaryOf(mr.run.result),
    verdict: readVerdict(mr, mr.run),
  }));
}
