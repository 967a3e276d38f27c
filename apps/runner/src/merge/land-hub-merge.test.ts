import { AuditRecordSchema, MergeResultSchema, QueueSnapshotSchema, RunReportSchema, RunStateEventSchema } from "@grove/core";
import { makeTempRepo, type TempRepo } from "@grove/core/test-support";
import { mkdtemp, realpath, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startRunnerDaemon } from "../daemon.ts";
import { eventsOf, startTestHub, waitFor, type TestHub } from "../test-support/test-hub.ts";

const TOKEN = "runner-token-for-merge-task-tests-0123";
let repo: TempRepo;
let dataDir: string;
let hub: TestHub;
const cleanups: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  process.env.GROVE_DEMO_DELAY_MS = "5";
  repo = await makeTempRepo({
    files: {
      "README.md": "# merge task\n",
      "grove.yaml": JSON.stringify({ test: `"${process.execPath}" -e "process.exit(0)"` }),
    },
  });
  dataDir = await realpath(await mkdtemp(join(tmpdir(), "grove-runner-data-")));
  hub = await startTestHub({ token: TOKEN });
  const daemon = await startRunnerDaemon({ hubUrl: hub.url, token: TOKEN, dataDir, repos: [repo.dir], maxConcurrentRuns: 1 });
  cleanups.push(
    repo.cleanup,
    () => rm(dataDir, { recursive: true, force: true }),
    () => hub.close(),
    () => daemon.stop(),
  );
  await waitFor(() => hub.store.events.some((e) => e.event === "runner:hello"), "runner:hello");
});
afterAll(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

it("never sends the hub an approval, even when the hub's merge request says it was automatic", async () => {
  await hub.startSession({
    sessionId: "session-20260101-1500",
    repoPath: repo.dir,
    integration: "main",
    tasks: [{ runId: "run-auto", agent: "demo", taskId: "auto", profile: "demo", prompt: "conflict lines=1" }],
  });
  await waitFor(
    () => eventsOf(hub.store, "run:state", RunStateEventSchema).find((s) => s.runId === "run-auto" && s.state === "succeeded"),
    "run-auto to succeed",
  );
  const headSha = eventsOf(hub.store, "run:report", RunReportSchema).find((r) => r.runId === "run-auto")?.headSha ?? "";
  await hub.executeMerge({
    mergeRequestId: "mr-auto",
    runId: "run-auto",
    repoPath: repo.dir,
    branch: "agent/demo/auto",
    integration: "main",
    headSha,
    message: "Merge auto",
    worktreePath: null,
    approval: { kind: "auto", by: "ceo@example.com" },
  });
  const result = await waitFor(
    () => eventsOf(hub.store, "merge:result", MergeResultSchema).find((m) => m.mergeRequestId === "mr-auto"),
    "merge:result",
  );
  expect(result.outcome.kind).toBe("merged");
  const actions = eventsOf(hub.store, "audit:record", AuditRecordSchema).map((a) => a.action);
  expect(actions).toContain("merge.completed");
  expect(actions).not.toContain("merge.approved");
});

it("reports its merge queue to the hub (queue:snapshot) and refuses to put first what does not wait in it", async () => {
  // The merge of the test above went through the queue: it was reported, and the queue is empty again.
  const snapshots = await waitFor(() => {
    const all = eventsOf(hub.store, "queue:snapshot", QueueSnapshotSchema);
    return all.at(-1)?.entries.length === 0 && all;
  }, "an empty queue reported");
  expect(snapshots.some((s) => s.entries.some((e) => e.mergeRequestId === "mr-auto"))).toBe(true);
  expect(snapshots.at(-1)).toMatchObject({ repoPath: repo.dir, integration: "main" });
  expect(await hub.prioritizeMerge("mr-auto")).toMatchObject({ ok: false });
});
