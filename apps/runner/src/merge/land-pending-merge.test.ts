import { agentCommit, makeTempRepo, type TempRepo } from "@grove/core/test-support";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, expect, it } from "vitest";
import { createRunLeases } from "../run/run-leases.ts";
import type { AuditSink } from "./land-agent-branch.ts";
import { landPendingMerge } from "./land-pending-merge.ts";
import { createMergeQueue } from "./merge-queue.ts";
import { listPendingMerges, type PendingMerge } from "./pending-merges.ts";

let repo: TempRepo;
let dataDir: string;
beforeEach(async () => {
  repo = await makeTempRepo({ files: { "README.md": "# app\n", "grove.yaml": "test: none\n" } });
  dataDir = await mkdtemp(join(tmpdir(), "grove-pending-"));
});
afterEach(async () => {
  await repo.cleanup();
  await rm(dataDir, { recursive: true, force: true });
});

async function pendingOf(task: string): Promise<PendingMerge> {
  const base = await repo.git(["rev-parse", "main"]);
  const { head } = await agentCommit(repo, "demo", task, { [`${task}.txt`]: "done\n" });
  return {
    runId: `s1-demo-${task}`,
    sessionId: "s1",
    repo: repo.dir,
    integration: "main",
    branch: `agent/demo/${task}`,
    agent: "demo",
    taskId: task,
    headSha: head,
    baseSha: base,
    commits: 1,
    tests: "none",
    result: null,
    openedAt: 1,
    state: "waiting",
  };
}

it("lets no request into the queue once the session was asked to stop, even one whose writing the stop overtook", async () => {
  const audits: Parameters<AuditSink>[0][] = [];
  const deps = {
    queue: createMergeQueue(),
    leases: createRunLeases({ maxRuns: 2 }),
    audit: (r: Parameters<AuditSink>[0]) => void audits.push(r),
    log: () => undefined,
    dataDir,
  };
  const main = await repo.git(["rev-parse", "main"]);
  const stopped = await pendingOf("late");
  // The stop lands while the request is being written (after the caller's own check): it is caught before the queue.
  expect(await landPendingMerge({ ...deps, aborted: () => true }, stopped, { kind: "auto", by: "grove session run" })).toBeNull();
  expect(await repo.git(["rev-parse", "main"])).toBe(main);
  expect(audits).toEqual([]);
  expect((await listPendingMerges(dataDir)).map((m) => [m.runId, m.state])).toEqual([["s1-demo-late", "waiting"]]);

  // Not stopped, the same request lands.
  const outcome = await landPendingMerge({ ...deps, aborted: () => false }, stopped, { kind: "auto", by: "grove session run" });
  expect(outcome?.kind).toBe("merged");
  expect(await repo.git(["rev-parse", "main"])).not.toBe(main);
});
