import { makeTempRepo, type TempRepo } from "@grove/core/test-support";
import { existsSync } from "node:fs";
import { mkdtemp, realpath, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { taskVerdict } from "../commands/session-summary.ts";
import { listPendingMerges } from "../merge/pending-merges.ts";
import { readLocalAudit, sessionAuditPath } from "./audit-file.ts";
import { runHeadlessSession } from "./headless-session.ts";
import { PlanSchema } from "./plan-file.ts";

// `grove session run` asked to stop (Ctrl-C) keeps every run that succeeded as a merge request a person can
// still approve, and lands no further merge: what grove did up to then is what it reports.

let repo: TempRepo;
let dataDir: string;

beforeEach(async () => {
  process.env.GROVE_DEMO_DELAY_MS = "5";
  repo = await makeTempRepo({
    files: { "README.md": "# stop\n", "grove.yaml": `test: '"${process.execPath}" -e "process.exit(0)"'\n` },
  });
  dataDir = await realpath(await mkdtemp(join(tmpdir(), "grove-headless-stop-")));
});
afterEach(async () => {
  await repo.cleanup();
  await rm(dataDir, { recursive: true, force: true });
});

const plan = (...tasks: { task: string; prompt: string }[]) =>
  PlanSchema.parse({ session: "session-20260101-0930", tasks: tasks.map((t) => ({ agent: "demo", profile: "demo", ...t })) });
const mergesOnMain = () => repo.git(["rev-list", "--merges", "--count", "main"]);

describe("grove session run asked to stop", () => {
  it("after the first merge landed: lands no other, and the next succeeded run keeps its merge request", async () => {
    // The merged-tree test passes only once both runs succeeded: the first merge cannot land (and stop the
    // session) while the other run still works, however slow the machine.
    const bothDone = join(dataDir, "both-done");
    const gate = `if (process.env.GROVE_MERGE_TEST === "1") setInterval(() => require("fs").existsSync(process.env.BOTH_DONE) && process.exit(0), 20)`;
    await repo.write({ "grove.yaml": `test: '"${process.execPath}" -e ${JSON.stringify(gate)}'\n` });
    await repo.git(["commit", "-qam", "gated merged-tree test"]);
    process.env.BOTH_DONE = bothDone;
    const stop = new AbortController();
    const succeeded = new Set<string>();
    const summary = await runHeadlessSession({
      repo: repo.dir,
      plan: plan({ task: "one", prompt: "lines=1" }, { task: "two", prompt: "lines=1" }),
      dataDir,
      approve: "auto",
      signal: stop.signal,
      onState: (task) => {
        if (task.state === "succeeded") succeeded.add(task.taskId);
        if (succeeded.size === 2) void writeFile(bothDone, "");
      },
      onMerge: () => stop.abort("SIGINT"),
    }).finally(() => delete process.env.BOTH_DONE);
    // Whichever run passed first entered the queue first and landed; the other one waits for a person.
    const states = summary.tasks.map((t) => [t.state, t.merge?.kind ?? null, t.waiting?.state ?? null]);
    expect(states).toContainEqual(["succeeded", "merged", null]);
    expect(states).toContainEqual(["succeeded", null, "waiting"]);
    const waiting = summary.tasks.find((t) => t.waiting !== null);
    expect(await mergesOnMain()).toBe("1");
    expect((await listPendingMerges(dataDir)).find((m) => m.taskId === waiting?.taskId)).toMatchObject({ state: "waiting" });
  });

  it("while a run still works: the run that already succeeded keeps its merge request, nothing is merged", async () => {
    const stop = new AbortController();
    const summary = await runHeadlessSession({
      repo: repo.dir,
      plan: plan({ task: "fast", prompt: "lines=1" }, { task: "slow", prompt: "hang" }),
      dataDir,
      approve: "auto",
      signal: stop.signal,
      onState: (task) => {
        if (task.taskId === "fast" && task.state === "succeeded") stop.abort("SIGINT");
      },
    });
    expect(summary.tasks.map((t) => [t.taskId, t.state, t.merge?.kind ?? null])).toEqual([
      ["fast", "succeeded", null],
      ["slow", "interrupted", null],
    ]);
    expect(summary.isSuccess).toBe(false);
    expect(await mergesOnMain()).toBe("0");
    const pending = await listPendingMerges(dataDir);
    expect(pending.map((m) => [m.taskId, m.state])).toEqual([["fast", "waiting"]]);
    expect(pending[0]?.headSha).toBe(await repo.git(["rev-parse", "agent/demo/fast"]));
    // The stopped run's summary says what git has of it: nothing on its branch yet.
    expect(await repo.git(["rev-list", "--count", "main..agent/demo/slow"])).toBe("0");
    const slow = summary.tasks.find((t) => t.taskId === "slow");
    expect(slow && taskVerdict(slow)).toEqual({
      kind: "stopped",
      detail: "stopped before it finished: nothing committed on agent/demo/slow; branch and worktree are kept",
    });
  });

  it("while its tests run: the run ends interrupted, its tests stopped (not failed), its branch and worktree kept", async () => {
    // The test command says it started, then runs until it is killed: the stop lands while it runs.
    const started = join(dataDir, "tests-started");
    const gate = `require("fs").writeFileSync(process.env.TESTS_STARTED, ""); setInterval(() => {}, 1000)`;
    await repo.write({ "grove.yaml": `test: '"${process.execPath}" -e ${JSON.stringify(gate)}'\n` });
    await repo.git(["commit", "-qam", "tests that run until stopped"]);
    process.env.TESTS_STARTED = started;
    const stop = new AbortController();
    const lines: string[] = [];
    const summary = await runHeadlessSession({
      repo: repo.dir,
      plan: plan({ task: "fast", prompt: "lines=1" }),
      dataDir,
      approve: "auto",
      signal: stop.signal,
      onLine: (_task, _stream, text) => {
        lines.push(text);
        if (text.startsWith("running tests:")) void stopOnceExists(started, stop);
      },
    }).finally(() => delete process.env.TESTS_STARTED);
    const [task] = summary.tasks;
    expect([task?.state, task?.report?.test.status, task?.merge, task?.waiting]).toEqual(["interrupted", "stopped", null, null]);
    expect(
      lines.some((l) => /^tests stopped \(killed by SIG(TERM|KILL): the run was interrupted before they finished\)/.test(l)),
    ).toBe(true);
    expect(lines.some((l) => l.startsWith("tests failed"))).toBe(false);
    expect(task && taskVerdict(task)).toEqual({
      kind: "stopped",
      detail: "stopped before it finished: 1 commit(s) on agent/demo/fast; branch and worktree are kept",
    });
    const audit = await readLocalAudit(sessionAuditPath(dataDir, summary.sessionId));
    expect(audit.find((e) => e.action === "tests.ran")?.details).toMatchObject({ status: "stopped", stoppedBy: "interrupted" });
    expect(audit.find((e) => e.action === "run.ended")?.details).toMatchObject({ state: "interrupted", test: "stopped" });
    // Nothing to approve, nothing merged; the agent's commit stays on its branch, in its worktree.
    expect(await listPendingMerges(dataDir)).toEqual([]);
    expect(await mergesOnMain()).toBe("0");
    expect(await repo.git(["rev-list", "--count", "main..agent/demo/fast"])).toBe("1");
    expect(await repo.git(["worktree", "list", "--porcelain"])).toContain("branch refs/heads/agent/demo/fast");
  });

  it("while an approved merge's merged-tree test runs: the audit says the approval was withdrawn, nothing merged", async () => {
    const started = join(dataDir, "merge-test-started");
    const gate = `if (process.env.GROVE_MERGE_TEST === "1") { require("fs").writeFileSync(process.env.TESTS_STARTED, ""); setInterval(() => {}, 1000) }`;
    await repo.write({ "grove.yaml": `test: '"${process.execPath}" -e ${JSON.stringify(gate)}'\n` });
    await repo.git(["commit", "-qam", "a merged-tree test that runs until stopped"]);
    process.env.TESTS_STARTED = started;
    const stop = new AbortController();
    void stopOnceExists(started, stop);
    const summary = await runHeadlessSession({
      repo: repo.dir,
      plan: plan({ task: "fast", prompt: "lines=1" }),
      dataDir,
      approve: "auto",
      signal: stop.signal,
    }).finally(() => delete process.env.TESTS_STARTED);
    const [task] = summary.tasks;
    expect([task?.state, task?.merge, task?.waiting?.state]).toEqual(["succeeded", null, "waiting"]);
    expect(await mergesOnMain()).toBe("0");
    const audit = await readLocalAudit(sessionAuditPath(dataDir, summary.sessionId));
    const merges = audit.filter((e) => e.action.startsWith("merge."));
    expect(merges.map((e) => e.action)).toEqual(["merge.approved", "merge.queued", "merge.approval_withdrawn"]);
    expect(merges[2]).toMatchObject({
      runId: task?.runId,
      sha: await repo.git(["rev-parse", "agent/demo/fast"]),
      details: { approval: "auto", branchKept: true },
    });
  });
});

/** Stops the session once the test command wrote its marker (it runs by then, however slow the machine). */
async function stopOnceExists(path: string, stop: AbortController): Promise<void> {
  while (!existsSync(path)) await new Promise((resolve) => setTimeout(resolve, 20));
  stop.abort("SIGINT");
}
