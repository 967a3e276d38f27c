import type { RepoContext } from "@grove/core/node";
import type { AdmissionTicket } from "../admission/admission-gate.ts";
import type { RunLeases } from "../run/run-leases.ts";

/**
 * A merged-tree test (its setup and test command) waits for room on the machine like a run's tests, counted as
 * the repository's tests. Why it waits is the queue entry's stage detail. Its processes are not measured (core's
 * testMergedTree starts them and hands out no process group to watch), so its whole expected share stays set
 * aside until it ends.
 */
export async function admitMergedTreeTest(
  deps: {
    leases: RunLeases;
    onStage?: (stage: "queued", detail?: string) => void;
    /** The queue's own record of why this test waits (its snapshot shows it). */
    onWait?: (reason: string) => void;
    log: (line: string) => void;
  },
  repo: RepoContext,
  signal: AbortSignal = new AbortController().signal,
): Promise<AdmissionTicket | null> {
  const { admission } = repo.config;
  return deps.leases.admission.admit({
    key: `test:${repo.repo}`,
    fallbackMb: admission.testMemoryMb,
    thresholds: admission,
    signal,
    onWait(reason) {
      deps.onStage?.("queued", `merged-tree test not started yet: ${reason}`);
      deps.onWait?.(reason);
      deps.log(`merged-tree test of ${repo.repo} not started yet: ${reason}`);
    },
    onNote: (note) => deps.log(`merged-tree test of ${repo.repo}: ${note}`),
  });
}
