import {
  testGateOf,
  parseAgentBranch,
  type AuditRecord,
  type MergeApproval,
  type MergeOutcome,
  type MergeStage,
  type RunnerAuditAction,
} from "@grove/core";
import type { OutputStream, QueueFence, RepoContext } from "@grove/core/node";
import type { Logger } from "../logger.ts";
import type { RunLeases } from "../run/run-leases.ts";
import type { MergeQueue } from "./merge-queue.ts";
import { queueJobOf } from "./queue-job.ts";

/**
 * A runner's own steps, and (headless only, where no hub records them) the approval of `grove session run
 * --approve auto` and its withdrawal when the session is stopped before the merge started.
 */
export type LandAuditAction = RunnerAuditAction | "merge.approved" | "merge.approval_withdrawn";
export type AuditSink = (
  record: Omit<AuditRecord, "action" | "details"> & { action: LandAuditAction; details?: Record<string, unknown> },
) => void;

export type LandRequest = {
  /** The repository, its grove.yaml read afresh. */
  repo: RepoContext;
  integration: string;
  branch: string;
  /** The approved head: the branch is merged only while it still points here. */
  headSha: string;
  runId?: string;
  sessionId?: string;
  approval: MergeApproval;
  /** The agent's RESULT (validated here); its learnings go into the brain after the merge lands. */
  result?: unknown;
  message?: string;
  /** Extra fields for every audit event (e.g. the hub's merge request id). */
  context?: Record<string, unknown>;
};

export type LandDeps = {
  queue: MergeQueue;
  /** The runs' lease pool: the merged-tree test takes its slot and port block from it. */
  leases: RunLeases;
  audit: AuditSink;
  log: Logger;
  onStage?: (stage: MergeStage, detail?: string) => void;
  onTestLine?: (stream: OutputStream, text: string) => void;
  /**
   * The merge queue's lease fence to land with (a hub's runner: one owner per queue); null when this runner
   * does not hold the queue's lease now. Absent (headless): no lease, no fence.
   */
  queueFence?: (repoPath: string, integration: string) => QueueFence | null;
  /** Test every candidate in a fresh temporary worktree instead of a warm one (the benchmark's baseline). */
  freshMergeTrees?: boolean;
};

/**
 * Lands an approved agent branch through the merge queue: its candidate (merge commit + brain deposit)
 * built and tested speculatively, compare-and-swap, cleanup — every step audited. Also the entry point of `grove session run --approve auto`
 * (approval `{ kind: "auto", by: "grove session run" }`), which is recorded as an automatic approval.
 * Never throws: failures come back as a refused outcome.
 */
export function landAgentBranch(deps: LandDeps, req: LandRequest): Promise<MergeOutcome> {
  const names = parseAgentBranch(req.branch);
  const context = {
    ...req.context,
    agent: names?.agent,
    taskId: names?.taskId,
    into: req.integration,
    approval: req.approval.kind,
    approvedBy: req.approval.by,
  };
  const audit = (action: LandAuditAction, sha: string | null | undefined, details: Record<string, unknown> = {}) =>
    deps.audit({
      action,
      subject: req.branch,
      branch: req.branch,
      ...(req.sessionId ? { sessionId: req.sessionId } : {}),
      ...(req.runId ? { runId: req.runId } : {}),
      ...(sha ? { sha } : {}),
      details: { ...context, ...details },
    });
  const gate = testGateOf(req.repo.config);
  if (req.approval.kind === "auto" && gate.kind === "missing") {
    // Nothing reaches the integration branch untested on a machine's say-so alone.
    const reason = `${req.branch} is untested (grove.yaml has no \`test\` command): only a person can approve it (grove approve), or declare \`test: none\``;
    audit("merge.refused", req.headSha, { reason, branchKept: true });
    return Promise.resolve({ kind: "refused", reason });
  }
  if (req.approval.kind === "auto")
    audit("merge.approved", req.headSha, {
      reason: gate.kind === "none" ? "the repository declares no tests" : "tests passed",
      comment: req.approval.comment ?? "",
    });

  const ahead = deps.queue.size(req.repo.repo, req.integration);
  deps.onStage?.("queued", ahead > 0 ? `${ahead} merge(s) into ${req.integration} ahead` : undefined);
  audit("merge.queued", req.headSha, { ahead });
  return deps.queue.submit(queueJobOf(deps, req, audit));
}
