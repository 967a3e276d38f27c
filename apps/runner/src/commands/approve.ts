import { DomainError, type MergeApproval } from "@grove/core";
import { runGit } from "@grove/core/node";
import { join } from "node:path";
import { appendLocalAudit, sessionAuditPath } from "../headless/audit-file.ts";
import { landPendingMerge } from "../merge/land-pending-merge.ts";
import { createLocalHub } from "../headless/local-hub.ts";
import type { AuditSink } from "../merge/land-agent-branch.ts";
import { createMergeQueue } from "../merge/merge-queue.ts";
import { createRunLeases } from "../run/run-leases.ts";
import {
  findPendingMerge,
  listPendingMerges,
  savePendingMerge,
  withPendingMerge,
  type PendingMerge,
} from "../merge/pending-merges.ts";
import type { CliContext } from "./cli-context.ts";
import { formatTable, shortSha } from "./format-table.ts";
import { parseFlags } from "./parse-flags.ts";
import { describeMerge } from "./session-summary.ts";
import { runnerDataDir } from "./runner-data-dir.ts";

const APPROVE_USAGE = `grove approve <run-id | agent/task> [--comment TEXT] [--as NAME] [--repo PATH] [--data-dir DIR] [--json]
       grove approve [--list] [--repo PATH] [--data-dir DIR] [--json]

  Approves a merge request a headless session left waiting (--approve manual, or an untested run) and
  lands it through the merge queue: merged-tree test, compare-and-swap, brain deposit, cleanup. Also
  retries one whose merge failed. --list (or no id) lists the requests. Audited in the session's audit file
  as you (--as, else git's user.email, else $USER). Exit 0 only when it landed.`;

const REJECT_USAGE = `grove reject <run-id | agent/task> --comment REASON [--as NAME] [--repo PATH] [--data-dir DIR] [--json]

  Turns down a waiting merge request; the branch and its worktree are kept. Audited as you.`;

const FLAGS = {
  comment: { type: "string" },
  as: { type: "string" },
  // The repository whose data folder holds the requests (its root's .grove-data/runner), as `session run` took it.
  repo: { type: "string" },
  "data-dir": { type: "string" },
  json: { type: "boolean" },
  list: { type: "boolean" },
} as const;

export async function approveCommand(args: string[], ctx: CliContext): Promise<number> {
  const { values, positionals } = parseFlags(APPROVE_USAGE, args, FLAGS);
  if (values.help) return usage(ctx, APPROVE_USAGE);
  const dataDir = runnerDataDir(values["data-dir"], ctx, values.repo);
  if (positionals.length === 0 || values.list) return list(dataDir, values.json === true, ctx);
  if (positionals.length > 1)
    throw new DomainError("INVALID_INPUT", `unexpected argument "${positionals[1] ?? ""}"\nusage: ${APPROVE_USAGE}`);
  const found = await findPendingMerge(dataDir, positionals[0] ?? "");
  const by = values.as ?? (await whoAmI(found.repo, ctx));
  const approval: MergeApproval = { kind: "user", by, ...(values.comment ? { comment: values.comment } : {}) };

  const outcome = await withPendingMerge(dataDir, found.runId, async (merge) => {
    if (merge.state !== "waiting" && merge.state !== "failed") throw notDecidable(merge);
    // The decision is on record before anything moves; a broken audit trail refuses it, changing nothing.
    await appendLocalAudit(sessionAuditPath(dataDir, merge.sessionId), [
      {
        actorType: "user",
        actorId: by,
        action: "merge.approved",
        subject: merge.branch,
        sessionId: merge.sessionId,
        runId: merge.runId,
        branch: merge.branch,
        sha: merge.headSha,
        details: { comment: approval.comment ?? "", approval: "user", tests: merge.tests, retry: merge.state === "failed" },
      },
    ]);
    const local = createLocalHub(sessionAuditPath(dataDir, merge.sessionId), {}, { actorType: "user", actorId: by });
    try {
      const audit: AuditSink = (record) => void local.outbox.send("audit:record", { ...record, details: record.details ?? {} });
      const outcome = await landPendingMerge(
        {
          queue: createMergeQueue(),
          leases: createRunLeases({ maxRuns: 1 }),
          audit,
          log: (line) => ctx.err(`grove: ${line}`),
          dataDir,
        },
        merge,
        approval,
      );
      // Nothing withdraws from this queue of one; null only to satisfy the type.
      return outcome ?? { kind: "refused" as const, reason: "withdrawn from the merge queue" };
    } finally {
      await local.outbox.drain(5_000);
      const error = local.auditError();
      if (error !== null) ctx.err(`grove: the audit trail is missing events of this merge: ${error}`);
    }
  });
  if (values.json) ctx.out(JSON.stringify(outcome));
  else ctx.out(`${found.branch}: ${describeMerge(outcome)}`);
  return outcome.kind === "merged" ? 0 : 1;
}

export async function rejectCommand(args: string[], ctx: CliContext): Promise<number> {
  const { values, positionals } = parseFlags(REJECT_USAGE, args, FLAGS);
  if (values.help) return usage(ctx, REJECT_USAGE);
  if (positionals.length !== 1) throw new DomainError("INVALID_INPUT", `give one merge request\nusage: ${REJECT_USAGE}`);
  const comment = values.comment?.trim();
  if (!comment)
    throw new DomainError(
      "INVALID_INPUT",
      `--comment REASON is required: the agent's author deserves to know why\nusage: ${REJECT_USAGE}`,
    );
  const dataDir = runnerDataDir(values["data-dir"], ctx, values.repo);
  const found = await findPendingMerge(dataDir, positionals[0] ?? "");
  const by = values.as ?? (await whoAmI(found.repo, ctx));
  const rejected = await withPendingMerge(dataDir, found.runId, async (merge) => {
    if (merge.state !== "waiting" && merge.state !== "failed") throw notDecidable(merge);
    await appendLocalAudit(sessionAuditPath(dataDir, merge.sessionId), [
      {
        actorType: "user",
        actorId: by,
        action: "merge.rejected",
        subject: merge.branch,
        sessionId: merge.sessionId,
        runId: merge.runId,
        branch: merge.branch,
        sha: merge.headSha,
        details: { comment, branchKept: true },
      },
    ]);
    const next: PendingMerge = { ...merge, state: "rejected", decidedBy: by, decidedAt: Date.now(), comment };
    await savePendingMerge(dataDir, next);
    return next;
  });
  if (values.json) ctx.out(JSON.stringify(rejected));
  else ctx.out(`${rejected.branch}: rejected by ${by}; the branch and its worktree are kept`);
  return 0;
}

async function list(dataDir: string, json: boolean, ctx: CliContext): Promise<number> {
  const merges = await listPendingMerges(dataDir);
  if (json) {
    ctx.out(JSON.stringify(merges));
    return 0;
  }
  if (merges.length === 0) {
    ctx.out(`no merge requests in ${join(dataDir, "merges")}`);
    return 0;
  }
  ctx.out(
    formatTable([
      ["run", "branch", "head", "tests", "state", "decided by"],
      ...merges.map((m) => [
        m.runId,
        m.branch,
        shortSha(m.headSha),
        m.tests,
        m.state === "failed" && m.outcome ? `failed: ${describeMerge(m.outcome)}` : m.state,
        m.decidedBy ?? "",
      ]),
    ]),
  );
  return 0;
}

function notDecidable(merge: PendingMerge): DomainError {
  return new DomainError(
    "INVALID_INPUT",
    `${merge.runId} is ${merge.state}${merge.decidedBy ? ` (by ${merge.decidedBy})` : ""}, not waiting for a decision`,
  );
}

function usage(ctx: CliContext, text: string): number {
  ctx.out(`usage: ${text}`);
  return 0;
}

async function whoAmI(repo: string, ctx: CliContext): Promise<string> {
  const email = await runGit(["config", "user.email"], { cwd: repo, okExitCodes: [0, 1] }).catch(() => null);
  const name = email?.stdout.trim() || ctx.env.USER || ctx.env.LOGNAME;
  if (!name) throw new DomainError("INVALID_INPUT", "cannot tell who you are (no git user.email, no $USER): pass --as NAME");
  return name.slice(0, 200);
}
