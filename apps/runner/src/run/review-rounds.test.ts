import { readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startRoundSession, type RoundSession } from "../test-support/round-session.ts";
import { waitFor } from "../test-support/test-hub.ts";

// Later rounds of a task, run by the demo agent through the daemon on a real repository: where the round
// runs, what is kept, what the agent is told, and what the runner reports.

let session: RoundSession;
beforeEach(async () => {
  session = await startRoundSession();
});
afterEach(async () => {
  await session.cleanup();
});

const git = (args: string[]) => session.repo.git(args);
const archiveRefs = async () =>
  (await git(["for-each-ref", "--format=%(refname)", "refs/grove/archive/"])).split("\n").filter(Boolean);

describe("a later round that continues", () => {
  it("runs on the same branch and worktree, from the round before's head, with the reviewer's comments and a recap", async () => {
    const first = await session.round("write the notes");
    expect(first.state).toBe("succeeded");
    const roundOneHead = await git(["rev-parse", session.branch]);

    const second = await session.round("Rename the heading\nAdd a line about tests", {
      number: 2,
      start: "continue",
      bringIntegration: false,
    });
    expect(second.state, second.error).toBe("succeeded");
    expect(second.worktreePath).toBe(first.worktreePath);
    // The diff between rounds: measured from round 1's head, reported on the running state and the report.
    expect(second.baseSha).toBe(roundOneHead);
    expect(second.report?.baseSha).toBe(roundOneHead);
    expect(second.report?.headSha).toBe(await git(["rev-parse", session.branch]));
    expect(second.report?.commits).toBe(1);
    expect(await git(["merge-base", "--is-ancestor", roundOneHead, session.branch]).then(() => true)).toBe(true);
    const review = await readFile(join(second.worktreePath ?? "", "notes", "task-r-review.md"), "utf8");
    // The prompt opens with this round's own CONTEXT-PACK and RESULT paths (a resumed conversation knows the last round's).
    const [opening, ...task] = review.split("\n");
    const runDir = `/runs/${second.runId}/`;
    expect(opening).toContain(`- round 2: This is round 2. Read this round's CONTEXT-PACK at `);
    expect(opening).toContain(`${runDir}context-pack.md first`);
    expect(opening).toMatch(new RegExp(`write your RESULT as JSON to \`/\\S+${runDir}result\\.json\``));
    expect(task.join("\n")).toBe("- round 2: Rename the heading\n- round 2: Add a line about tests\n");
    // The demo agent cannot resume a conversation: its CONTEXT-PACK recaps round 1.
    expect(second.contextPack).toContain("## Round 2");
    expect(second.contextPack).toContain("You start a new conversation.");
    expect(second.contextPack).toContain(`Last commit: demo(task-r): write the notes (\`${roundOneHead}\`)`);
    expect(second.contextPack).toContain("RESULT summary: Demo agent demo completed task-r: write the notes.");
    expect(second.contextPack).toMatch(/Files changed on the branch: .*`notes\/task-r\.md`/);
    expect(second.prepared).toMatchObject({
      round: 2,
      start: "continue",
      previousRunId: first.runId,
      previousHead: roundOneHead,
      resumed: false,
      keptRef: null,
    });
  });

  it("keeps what was left uncommitted before it, in the worktree and in a snapshot under refs/grove/archive/", async () => {
    const first = await session.round("write the notes");
    const worktree = first.worktreePath ?? "";
    await writeFile(join(worktree, "half-done.txt"), "left by round 1\n");

    const second = await session.round("finish it", { number: 2, start: "continue", bringIntegration: false });
    expect(second.state, second.error).toBe("succeeded");
    expect(await readFile(join(worktree, "half-done.txt"), "utf8")).toBe("left by round 1\n");
    const [kept] = await archiveRefs();
    expect(second.prepared).toMatchObject({ keptRef: kept, leftovers: 1 });
    expect(await git(["show", `${kept}:half-done.txt`])).toBe("left by round 1");
    expect(second.contextPack).toContain(
      "were left uncommitted before this round and are still in your worktree: `half-done.txt`",
    );
  });

  it("re-creates the worktree from the branch when its folder is gone", async () => {
    const first = await session.round("write the notes");
    const roundOneHead = await git(["rev-parse", session.branch]);
    await rm(first.worktreePath ?? "", { recursive: true, force: true });

    const second = await session.round("again", { number: 2, start: "continue", bringIntegration: false });
    expect(second.state, second.error).toBe("succeeded");
    expect(second.baseSha).toBe(roundOneHead);
    expect(await git(["rev-parse", `${session.branch}~1`])).toBe(roundOneHead);
  });

  it("fails clearly, creating nothing, when the task's branch is gone", async () => {
    const second = await session.round("again", {
      number: 2,
      start: "continue",
      bringIntegration: false,
      previousRunId: "run-gone",
    });
    expect(second.state).toBe("failed");
    expect(second.error).toContain(
      "round 2 continues agent/demo/task-r (run run-gone), but that branch is gone; nothing was created",
    );
    expect(await git(["branch", "--list", session.branch])).toBe("");
    expect((await git(["worktree", "list", "--porcelain"])).match(/^worktree /gm)).toHaveLength(1);
  });
});

describe("a later round while a run of the task is still going", () => {
  it("is refused, and nothing of the running one is touched", async () => {
    const first = { runId: "run-hanging", agent: "demo", taskId: "task-r", profile: "demo", prompt: "hang" };
    const start = (tasks: (typeof first & { round?: unknown })[], sessionId: string) =>
      session.hub.startSession({ sessionId, repoPath: session.repo.dir, integration: "main", tasks } as never);
    expect(await start([first], "session-hang-1")).toEqual({ ok: true });
    const started = () => (session.hub.store.lines.get("run-hanging")?.size ?? 0) > 0;
    await waitFor(() => (started() ? true : null), "the run to start");
    const round = { number: 2, start: "continue", bringIntegration: false, previousRunId: "run-hanging" };
    const ack = await start([{ ...first, runId: "run-too-soon", prompt: "again", round }], "session-hang-2");
    expect(ack).toEqual({
      ok: false,
      error: "run run-hanging is still working on agent/demo/task-r; send this task again once it ended",
    });
    // The same run sent again is still answered as before (a resent session:start).
    expect(await start([first], "session-hang-1")).toEqual({ ok: true });
    expect(await session.hub.cancelRun("run-hanging")).toEqual({ ok: true });
  });

  it("is taken, and starts once the run before is done, when that run already ended but still ships its log", async () => {
    const slow = await startRoundSession({ ackLogs: false });
    try {
      expect((await slow.round("write the notes")).state).toBe("succeeded");
      const second = await slow.round("again", { number: 2, start: "continue", bringIntegration: false });
      expect(second.state, second.error).toBe("succeeded");
    } finally {
      await slow.cleanup();
    }
  });
});

describe("a later round started fresh", () => {
  it("keeps the old branch and its uncommitted work under refs/grove/archive/ and starts the branch again from the integration head", async () => {
    const first = await session.round("write the notes");
    const roundOneHead = await git(["rev-parse", session.branch]);
    await writeFile(join(first.worktreePath ?? "", "stale.txt"), "left by round 1\n");
    await session.repo.write({ "moved.txt": "main moved on\n" });
    await git(["add", "moved.txt"]);
    await git(["commit", "-q", "-m", "main moved"]);
    const mainHead = await git(["rev-parse", "main"]);

    const second = await session.round("do it differently", { number: 2, start: "fresh", bringIntegration: false });
    expect(second.state, second.error).toBe("succeeded");
    const [kept] = await archiveRefs();
    expect(second.prepared).toMatchObject({ start: "fresh", keptRef: kept, baseSha: mainHead });
    // The archive really holds round 1's work; the branch no longer does.
    expect(await git(["rev-parse", `${kept}~1`])).toBe(roundOneHead);
    expect(await git(["show", `${kept}:notes/task-r.md`])).toContain("write the notes");
    expect(await git(["show", `${kept}:stale.txt`])).toBe("left by round 1");
    await expect(readFile(join(first.worktreePath ?? "", "stale.txt"), "utf8")).rejects.toThrow(/ENOENT/);
    expect(await git(["rev-parse", `${session.branch}~1`])).toBe(mainHead);
    expect(second.baseSha).toBe(mainHead);
    expect(second.report?.baseSha).toBe(mainHead);
    expect(second.worktreePath).toBe(first.worktreePath);
    expect(second.contextPack).toContain(`the earlier work is kept under \`${kept}\``);
  });
});
