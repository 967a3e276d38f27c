import { DomainError, MergedTreeTestSchema, SHA_PREFIX_PATTERN, type AuditEntry, type MergedTreeTest } from "@grove/core";
import { listAuditEvents, toAuditDto, type Db } from "@grove/db";

export type CommitProvenance = {
  sha: string;
  /** The merge commit itself, one of the agent's commits it brought in, or the brain deposit after it. */
  kind: "merge" | "agent" | "deposit";
  agent: string | null;
  taskId: string | null;
  runId: string | null;
  sessionId: string | null;
  branch: string | null;
  mergeRequestId: string | null;
  mergeSha: string | null;
  tests: {
    branch: { status: string | null; exitCode: number | null; durationMs: number | null } | null;
    mergedTree: MergedTreeTest | null;
  };
  approval: { kind: "user" | "auto"; by: string; comment: string | null; at: number } | null;
  mergedAt: number | null;
  events: AuditEntry[];
};

/**
 * "For any commit on the integration branch: which agent, which task, which tests, who approved, when."
 * From the merge request that brought the commit in, or (for merges without one, e.g. `grove session run
 * --approve auto`) from the ledger alone. Null: grove did not bring that commit in.
 */
export async function commitProvenance(db: Db, shaOrPrefix: string): Promise<CommitProvenance | null> {
  const sha = shaOrPrefix.toLowerCase();
  if (!SHA_PREFIX_PATTERN.test(sha)) throw new DomainError("INVALID_INPUT", "Give a commit SHA (at least 7 hex digits).");
  const rows = await db.commitProvenance.findMany({ where: { sha: { startsWith: sha } }, take: 10 });
  const shas = new Set(rows.map((row) => row.sha));
  if (shas.size > 1)
    throw new DomainError("INVALID_INPUT", `${sha} is ambiguous: it matches ${shas.size} commits. Give more digits.`);
  const row = rows.at(-1);
  if (!row) return fromLedger(db, sha);

  const mr = await db.mergeRequest.findUniqueOrThrow({ where: { id: row.mergeRequestId }, include: { run: true } });
  const events = (await listAuditEvents(db, { runId: mr.runId, limit: 1000 })).reverse();
  const approved = events.find((e) => isHubApproval(e) && e.subject === mr.id);
  const merged = events.find((e) => e.action === "merge.completed" && e.sha === mr.mergeSha);
  return {
    sha: row.sha,
    kind: row.kind === "agent" || row.kind === "deposit" ? row.kind : "merge",
    agent: mr.run.agent,
    taskId: mr.run.taskId,
    runId: mr.runId,
    sessionId: mr.run.sessionId,
    branch: mr.branch,
    mergeRequestId: mr.id,
    mergeSha: mr.mergeSha,
    tests: {
      branch: { status: mr.run.testStatus, exitCode: mr.run.testExitCode, durationMs: mr.run.testMs },
      mergedTree: parseTest(mr.mergedTreeTest),
    },
    approval: approvalOf(approved, mr.comment),
    mergedAt: merged?.ts ?? mr.updatedAt.getTime(),
    events,
  };
}

async function fromLedger(db: Db, sha: string): Promise<CommitProvenance | null> {
  const direct = await db.auditEvent.findFirst({
    where: { sha: { startsWith: sha }, action: { in: ["merge.completed", "brain.deposited"] } },
    orderBy: { id: "desc" },
  });
  // An agent commit is listed in the details of the merge that brought it in.
  const row =
    direct ??
    (await db.auditEvent.findFirst({
      where: { action: "merge.completed", details: { contains: sha } },
      orderBy: { id: "desc" },
    }));
  if (!row) return null;
  const brought = toAuditDto(row);
  const events = (
    await listAuditEvents(
      db,
      brought.runId ? { runId: brought.runId, limit: 1000 } : { branch: brought.branch ?? "", limit: 1000 },
    )
  ).reverse();
  const merge =
    brought.action === "merge.completed"
      ? brought
      : events.find((e) => e.action === "merge.completed" && e.sha === stringOf(brought.details, "mergeSha"));
  const test = events.filter((e) => e.action === "tests.ran").at(-1);
  const tree = events.filter((e) => e.action === "tests.merged_tree" && e.sha === merge?.sha).at(-1);
  const kind = brought.action === "brain.deposited" ? "deposit" : direct ? "merge" : "agent";
  return {
    sha: kind === "agent" ? sha : (brought.sha ?? sha),
    kind,
    agent: stringOf(brought.details, "agent"),
    taskId: stringOf(brought.details, "taskId"),
    runId: brought.runId,
    sessionId: brought.sessionId,
    branch: brought.branch,
    mergeRequestId: stringOf(brought.details, "mergeRequestId"),
    mergeSha: merge?.sha ?? null,
    tests: {
      branch: test
        ? {
            status: stringOf(test.details, "status"),
            exitCode: numberOf(test.details, "exitCode"),
            durationMs: numberOf(test.details, "durationMs"),
          }
        : null,
      mergedTree: tree
        ? {
            status: tree.details.status === "passed" ? "passed" : "failed",
            command: stringOf(tree.details, "command"),
            exitCode: numberOf(tree.details, "exitCode"),
            durationMs: numberOf(tree.details, "durationMs") ?? 0,
            outputTail: "",
          }
        : null,
    },
    approval: approvalOf(events.find(isHubApproval), null),
    mergedAt: merge?.ts ?? null,
    events,
  };
}

/**
 * An approval the hub itself recorded: a person's decision in the dashboard (or an automatic one of the
 * hub's own). Never a runner's record, whatever its details claim — older ledgers may still hold some.
 */
function isHubApproval(event: AuditEntry): boolean {
  return (
    event.action === "merge.approved" && (event.actorType === "user" || (event.actorType === "system" && event.actorId === "hub"))
  );
}

function approvalOf(event: AuditEntry | undefined, comment: string | null): CommitProvenance["approval"] {
  if (!event) return null;
  const auto = event.details.approval === "auto";
  return {
    kind: auto ? "auto" : "user",
    by: auto ? (stringOf(event.details, "approvedBy") ?? event.actorId) : event.actorId,
    comment: stringOf(event.details, "comment") ?? comment,
    at: event.ts,
  };
}

function parseTest(text: string | null): MergedTreeTest | null {
  if (text === null) return null;
  try {
    const parsed = MergedTreeTestSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

const stringOf = (details: Record<string, unknown>, key: string) => (typeof details[key] === "string" ? details[key] : null);
const numberOf = (details: Record<string, unknown>, key: string) => (typeof details[key] === "number" ? details[key] : null);
