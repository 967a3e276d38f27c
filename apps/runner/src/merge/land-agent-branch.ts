import {
  agentMergeMessage,
  describeError,
  isDomainError,
  testGateOf,
  parseAgentBranch,
  type AuditRecord,
  type MergeApproval,
  type MergeOutcome,
  type MergeStage,
  type RunnerAuditAction,
} from "@grove/core";
import { landBranch, type OutputStream, type RepoContext } from "@grove/core/node";
import { buildChildEnv } from "../launch/agent-env.ts";
import type { Logger } from "../logger.ts";
import { finishLanding } from "./finish-landing.ts";
import { leaseEnv, type RunLease, type RunLeases } from "../run/run-leases.ts";
import type { MergeQueue } from "./merge-queue.ts";

const MERGED_TREE_TEST_TIMEOUT_MS = 30 * 60_000;

/** A runner's own steps, and (headless only) the automatic approval of `grove session run --approve auto`. */
export type LandAuditAction = RunnerAuditAction | "merge.approved";
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
};

/**
 * Lands an approved agent branch through the merge queue: merged-tree test, compare-and-swap, brain
 * deposit, cleanup — every step audited. Also the entry point of `grove session run --approve auto`
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

  const key = `${req.repo.repo}\0${req.integration}`;
  const ahead = deps.queue.size(key);
  deps.onStage?.("queued", ahead > 0 ? `${ahead} merge(s) into ${req.integration} ahead` : undefined);
  audit("merge.queued", req.headSha, { ahead });

  return deps.queue.run(key, async (): Promise<MergeOutcome> => {
    let outcome: MergeOutcome;
    let lease: RunLease | null = null;
    try {
      const { setup, ports } = req.repo.config;
      // A slot and ports of its own, as a run has: its commands must not meet a live run's ports, nor get
      // the PORT of the runner's own environment (under `pnpm start`, the dashboard's).
      if (gate.kind === "command") lease = await deps.leases.reserve(ports);
      outcome = await landBranch({
        repo: req.repo.repo,
        into: req.integration,
        branch: req.branch,
        approvedSha: req.headSha,
        message: req.message ?? (names ? agentMergeMessage(names.agent, names.taskId) : `Merge ${req.branch}`),
        brain: req.repo.config.brain,
        test:
          gate.kind !== "command" || lease === null
            ? undefined
            : {
                command: gate.command,
                setup,
                env: buildChildEnv(process.env, leaseEnv(lease), {
                  GROVE_MERGE_TEST: "1",
                  GROVE_BRANCH: req.branch,
                  GROVE_AGENT: names?.agent ?? "",
                  GROVE_TASK: names?.taskId ?? "",
                }),
                timeoutMs: MERGED_TREE_TEST_TIMEOUT_MS,
              },
        noTest: gate.kind === "none" ? "none" : "untested",
        onStage: deps.onStage,
        onTestLine: deps.onTestLine,
      });
    } catch (error) {
      outcome = { kind: "refused", reason: isDomainError(error) ? error.message : `unexpected error: ${describeError(error)}` };
    } finally {
      lease?.release();
    }
    return finishLanding(deps, req, outcome, audit);
  });
}
