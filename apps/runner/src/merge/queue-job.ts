import { agentMergeMessage, parseAgentBranch, testGateOf, type AuditStep, type MergedTreeTest } from "@grove/core";
import { branchSha, buildQueueCandidate, landQueueCandidate, notRun, testMergedTree } from "@grove/core/node";
import { buildChildEnv } from "../launch/agent-env.ts";
import type { AdmissionTicket } from "../admission/admission-gate.ts";
import { leaseEnv } from "../run/run-leases.ts";
import { admitMergedTreeTest } from "./admit-merged-tree-test.ts";
import { depositIntoCandidate } from "./brain-deposit.ts";
import { finishLanding } from "./finish-landing.ts";
import type { LandAuditAction, LandDeps, LandRequest } from "./land-agent-branch.ts";
import { queueParallelOf } from "./merge-queue.ts";
import type { QueueJob } from "./queue-types.ts";

const MERGED_TREE_TEST_TIMEOUT_MS = 30 * 60_000;

/** One approved merge bound to git, its repository's test gate, the runs' lease pool and its audit trail. */
export function queueJobOf(deps: LandDeps, req: LandRequest, audit: AuditStep<LandAuditAction>): QueueJob {
  const names = parseAgentBranch(req.branch);
  const repo = req.repo.repo;
  const gate = testGateOf(req.repo.config);
  const target = { repo, into: req.integration, branch: req.branch, approvedSha: req.headSha };
  const candidateInput = {
    ...target,
    message: req.message ?? (names ? agentMergeMessage(names.agent, names.taskId) : `Merge ${req.branch}`),
    brain: req.repo.config.brain,
    deposit: (mergeSha: string) => depositIntoCandidate(req, mergeSha),
  };
  return {
    ...(typeof req.context?.mergeRequestId === "string" ? { mergeRequestId: req.context.mergeRequestId } : {}),
    ...(req.runId ? { runId: req.runId } : {}),
    repoPath: repo,
    integration: req.integration,
    branch: req.branch,
    headSha: req.headSha,
    parallel: queueParallelOf(req.repo.config),
    integrationHead: () => branchSha(repo, req.integration),
    build: (base) => buildQueueCandidate(candidateInput, base),
    async test(candidate, signal, onLine, onWait): Promise<MergedTreeTest> {
      if (gate.kind !== "command") return notRun(gate.kind === "none" ? "none" : "untested");
      const { setup, ports } = req.repo.config;
      // A slot and ports of its own, as a run has: its commands must not meet a live run's ports, nor get
      // the PORT of the runner's own environment (under `pnpm start`, the dashboard's).
      const lease = await deps.leases.reserve(ports);
      let ticket: AdmissionTicket | null = null;
      try {
        ticket = await admitMergedTreeTest({ ...deps, onWait }, req.repo, signal);
        onWait?.(null);
        return await testMergedTree({
          repo,
          sha: candidate.sha,
          test: gate.command,
          setup,
          env: buildChildEnv(process.env, leaseEnv(lease), {
            GROVE_MERGE_TEST: "1",
            GROVE_BRANCH: req.branch,
            GROVE_AGENT: names?.agent ?? "",
            GROVE_TASK: names?.taskId ?? "",
          }),
          timeoutMs: MERGED_TREE_TEST_TIMEOUT_MS,
          // A kept tree per integration branch, one per slot: only changed files written, setup only when its inputs changed.
          ...(deps.freshMergeTrees ? {} : { warm: { integration: req.integration, max: queueParallelOf(req.repo.config) } }),
          signal,
          onLine: (stream, text) => {
            onLine();
            deps.onTestLine?.(stream, text);
          },
        });
      } finally {
        ticket?.release();
        lease.release();
      }
    },
    land(candidate, test) {
      // Read once, before the repository lock: a lease lost while waiting for it is caught by the fence in git.
      const fence = deps.queueFence?.(repo, req.integration);
      if (fence === null) return Promise.resolve("fenced" as const);
      return landQueueCandidate({ ...target, ...(fence ? { fence } : {}) }, candidate, test);
    },
    finish: (outcome, candidate) => finishLanding(deps, req, outcome, candidate, audit),
    onStage: (stage, detail) => deps.onStage?.(stage, detail),
  };
}
