import {
  AuditRecordSchema,
  MergeResultSchema,
  ResultSchema,
  RunReportSchema,
  RunStateEventSchema,
  type LogLine,
  type TaskSpec,
  isTerminalRunState,
} from "@grove/core";
import { makeTempRepo, type TempRepo } from "@grove/core/test-support";
import { mkdtemp, readdir, realpath, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startRunnerDaemon, type RunnerDaemon } from "./daemon.ts";
import { createHubStore, eventsOf, startTestHub, waitFor, type HubStore, type TestHub } from "./test-support/test-hub.ts";

const TOKEN = "runner-token-for-tests-0123456789";
const cleanups: (() => Promise<unknown>)[] = [];
let repo: TempRepo;
let dataDir: string;

beforeEach(async () => {
  process.env.GROVE_DEMO_DELAY_MS = "15";
  repo = await makeTempRepo({
    files: { "README.md": "# demo\n", "grove.yaml": `test: '"${process.execPath}" -e "process.exit(0)"'\n` },
  });
  dataDir = await realpath(await mkdtemp(join(tmpdir(), "grove-runner-data-")));
  cleanups.push(repo.cleanup, () => rm(dataDir, { recursive: true, force: true }));
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function start(hub: TestHub): Promise<RunnerDaemon> {
  const daemon = await startRunnerDaemon({
    hubUrl: hub.url,
    token: TOKEN,
    dataDir,
    repos: [repo.dir],
    onLog: (m) => process.env.DEBUG_RUNNER && console.log(m),
  });
  cleanups.push(() => daemon.stop());
  await waitFor(() => hub.store.events.some((e) => e.event === "runner:hello"), "runner:hello");
  return daemon;
}

async function hubOn(opts: Omit<Parameters<typeof startTestHub>[0], "token">): Promise<TestHub> {
  const hub = await startTestHub({ token: TOKEN, ...opts });
  cleanups.push(() => hub.close());
  return hub;
}

const task = (id: string, prompt: string): TaskSpec => ({
  runId: `run-${id}`,
  agent: "demo",
  taskId: id,
  profile: "demo",
  prompt,
});
const states = (store: HubStore, runId: string) =>
  eventsOf(store, "run:state", RunStateEventSchema).filter((s) => s.runId === runId);
const finalState = (store: HubStore, runId: string) => states(store, runId).find((s) => isTerminalRunState(s.state));

function expectContiguous(lines: Map<number, LogLine> | undefined): LogLine[] {
  const sorted = [...(lines?.values() ?? [])].sort((a, b) => a.seq - b.seq);
  expect(sorted.map((l) => l.seq)).toEqual(sorted.map((_, i) => i + 1));
  return sorted;
}

async function lockedWorktrees(): Promise<string[]> {
  const porcelain = await repo.git(["worktree", "list", "--porcelain"]);
  return porcelain
    .split("\n\n")
    .filter((block) => /^locked/m.test(block))
    .map((block) => block.split("\n")[0]?.replace("worktree ", "") ?? "");
}

describe("runner daemon against a real hub socket and a real repository", () => {
  it("runs two demo agents in locked worktrees, reports, and merges both --no-ff", async () => {
    const hub = await hubOn({});
    await start(hub);
    const hello = hub.store.events.find((e) => e.event === "runner:hello")?.payload;
    expect(hello).toMatchObject({ repos: [{ path: repo.dir, integration: "main" }] });

    const tasks = [task("task-a", "write notes about A lines=8"), task("task-b", "write notes about B lines=8")];
    expect(
      await hub.startSession({ sessionId: "session-20260101-1200", repoPath: repo.dir, integration: "main", tasks }),
    ).toEqual({ ok: true });

    // While the agents run, both worktrees exist and are locked.
    const running = await waitFor(() => {
      const r = tasks.map((t) => states(hub.store, t.runId).find((s) => s.state === "running"));
      return r.every(Boolean) && r;
    }, "both runs running");
    const locked = await lockedWorktrees();
    for (const state of running) expect(locked).toContain(state?.worktreePath);

    for (const t of tasks) await waitFor(() => finalState(hub.store, t.runId), `${t.runId} to end`);
    expect(await lockedWorktrees()).toEqual([]);

    const reports = eventsOf(hub.store, "run:report", RunReportSchema);
    for (const t of tasks) {
      expect(finalState(hub.store, t.runId)?.state).toBe("succeeded");
      expect(states(hub.store, t.runId).map((s) => s.state)).toEqual(["preparing", "running", "testing", "succeeded"]);
      const branch = `agent/demo/${t.taskId}`;
      expect(await repo.git(["rev-list", "--count", `main..${branch}`])).toBe("1");
      expect(await repo.git(["log", "-1", "--format=%an", branch])).toBe("grove demo agent");
      const report = reports.find((r) => r.runId === t.runId);
      expect(report).toMatchObject({ exitCode: 0, test: { status: "passed", exitCode: 0 }, resultError: null });
      expect(report?.headSha).toBe(await repo.git(["rev-parse", branch]));
      expect(report?.diffStat).toContain(`notes/${t.taskId}.md`);
      expect(ResultSchema.parse(report?.result).learnings.length).toBeGreaterThanOrEqual(1);

      const lines = expectContiguous(hub.store.lines.get(t.runId));
      expect(lines.some((l) => l.stream === "system" && l.text.startsWith("worktree ready at"))).toBe(true);
      expect(lines.some((l) => l.stream === "stdout" && l.text.includes("\u001b[32m"))).toBe(true);
      expect(lines.some((l) => l.stream === "stderr")).toBe(true);
      expect(lines.some((l) => l.text.startsWith("running tests:"))).toBe(true);
    }
    expect(hub.store.duplicates).toBe(0);

    const audits = eventsOf(hub.store, "audit:record", AuditRecordSchema).map((a) => a.action);
    expect(audits.filter((a) => a === "worktree.created")).toHaveLength(2);
    expect(audits.filter((a) => a === "run.ended")).toHaveLength(2);
    expect(audits.filter((a) => a === "tests.ran")).toHaveLength(2);

    for (const [i, t] of tasks.entries()) {
      const report = reports.find((r) => r.runId === t.runId);
      const ack = await hub.executeMerge({
        mergeRequestId: `mr-${i}`,
        runId: t.runId,
        repoPath: repo.dir,
        branch: `agent/demo/${t.taskId}`,
        integration: "main",
        headSha: report?.headSha ?? "",
        message: `Merge agent/demo/${t.taskId}`,
        worktreePath: running[i]?.worktreePath ?? null,
      });
      expect(ack).toEqual({ ok: true });
      await waitFor(
        () => eventsOf(hub.store, "merge:result", MergeResultSchema).find((m) => m.mergeRequestId === `mr-${i}`),
        "merge result",
      );
    }
    const results = eventsOf(hub.store, "merge:result", MergeResultSchema);
    for (const result of results)
      expect(result.outcome).toMatchObject({ kind: "merged", worktreeRemoved: true, branchDeleted: true });

    expect(await repo.git(["rev-list", "--merges", "--count", "main"])).toBe("2");
    for (const line of (await repo.git(["rev-list", "--merges", "--parents", "main"])).split("\n")) {
      expect(line.split(" ")).toHaveLength(3);
    }
    expect(await repo.git(["ls-tree", "--name-only", "main", "notes/"])).toBe("notes/task-a.md\nnotes/task-b.md");
    expect(await repo.git(["worktree", "list", "--porcelain"])).not.toContain("agent/");
    expect(await repo.git(["branch", "--list", "agent/*"])).toBe("");
    const after = eventsOf(hub.store, "audit:record", AuditRecordSchema).map((a) => a.action);
    for (const action of ["merge.completed", "worktree.removed", "branch.deleted"]) {
      expect(after.filter((a) => a === action)).toHaveLength(2);
    }
  });

  it("loses and duplicates no line when the hub restarts mid-stream", async () => {
    const store = createHubStore();
    let acking = true;
    const first = await hubOn({ store, ackLogs: () => acking });
    await start(first);
    const t = task("flood", "flood the log flood=6000 lines=2 delay=5");
    await first.startSession({ sessionId: "session-20260101-1300", repoPath: repo.dir, integration: "main", tasks: [t] });

    await waitFor(() => (store.lines.get(t.runId)?.size ?? 0) > 300, "the first lines");
    // The first hub dies between storing batches and acking them: those lines must be sent again.
    acking = false;
    const stored = store.lines.get(t.runId)?.size ?? 0;
    await waitFor(() => (store.lines.get(t.runId)?.size ?? 0) > stored, "lines stored but never acked");
    await first.close();
    const second = await hubOn({ port: first.port, store });
    await waitFor(() => second.connections > 0, "the runner to reconnect");

    const final = await waitFor(() => finalState(store, t.runId), "the run to end");
    expect(final.state).toBe("succeeded");
    const lines = await waitFor(() => {
      const got = store.lines.get(t.runId);
      return got && [...got.values()].some((l) => l.text === "run succeeded") && got;
    }, "the last line");
    const sorted = expectContiguous(lines);
    expect(store.duplicates).toBeGreaterThan(0);
    const flood = sorted.filter((l) => l.text.startsWith("flood line "));
    expect(flood).toHaveLength(6000);
    expect(flood.map((l) => Number(l.text.split(" ")[2]))).toEqual(flood.map((_, i) => i + 1));
    expect(eventsOf(store, "run:report", RunReportSchema).filter((r) => r.runId === t.runId)).toHaveLength(1);
    // Everything was acknowledged, so the spool is gone.
    await waitFor(async () => (await readdir(join(dataDir, "spool"))).length === 0, "the spool to be trimmed");
  });
});
