import { createAgentWorktree } from "@grove/core/node";
import { commitBrokenSubmodule, exists } from "@grove/core/test-support";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { waitFor } from "../test-support/test-hub.ts";
import { closeQueueFixture, makeQueueFixture, startsIn, type QueueFixture } from "../test-support/queue-fixture.ts";

let fx: QueueFixture | undefined;
afterEach(async () => {
  await closeQueueFixture(fx);
  fx = undefined;
});

const commitIn = async (f: QueueFixture, cwd: string, file: string) => {
  await f.repo.write({ [file]: `${file}\n` }, { cwd });
  await f.repo.git(["add", file], { cwd });
  await f.repo.git(["commit", "-qm", `add ${file}`], { cwd });
  return f.repo.git(["rev-parse", "HEAD"], { cwd });
};
const actionsOf = (f: QueueFixture, branch: string) => f.audits.filter((r) => r.branch === branch).map((r) => r.action);

describe("the merge queue's verdict on one entry", () => {
  it("voids the approval when the branch moved before its test, or moves while its merged tree is tested", async () => {
    const f = (fx = await makeQueueFixture(1));
    const main = await f.repo.git(["rev-parse", "main"]);
    const a = await f.branch("a");
    const moved = await commitIn(f, a.path, "after-approval.txt");
    expect(await f.land("a", a.head)).toEqual({ kind: "moved", approvedSha: a.head, headSha: moved });
    expect(startsIn(await f.log())).toEqual([]);

    const landing = f.land("a", moved);
    await waitFor(async () => startsIn(await f.log()).length === 1, "the test of the approved head");
    const later = await commitIn(f, a.path, "while-testing.txt");
    await f.openGate();
    expect(await landing).toEqual({ kind: "moved", approvedSha: moved, headSha: later });
    expect(await f.passedTrees()).toHaveProperty("size", 1);
    expect(await f.repo.git(["rev-parse", "main"])).toBe(main);
    expect(await f.repo.git(["rev-parse", "agent/a/t"])).toBe(later);
    expect(await exists(a.path)).toBe(true);
    expect(actionsOf(f, "agent/a/t").filter((action) => action === "merge.void")).toHaveLength(2);
  });

  it("blocks a branch that writes into the brain folder, with the reason, before testing it", async () => {
    const f = (fx = await makeQueueFixture(1));
    await f.openGate();
    const main = await f.repo.git(["rev-parse", "main"]);
    const a = await f.branch("a", { extra: { "project-brain/LEARN-001-mine.md": "# mine\n" } });
    const outcome = await f.land("a", a.head);
    expect(outcome.kind).toBe("refused");
    expect(outcome.kind === "refused" ? outcome.reason : "").toMatch(/brain policy.*project-brain\/LEARN-001-mine\.md/);
    expect(startsIn(await f.log())).toEqual([]);
    expect(await f.repo.git(["rev-parse", "main"])).toBe(main);
    expect(await f.repo.git(["rev-parse", "agent/a/t"])).toBe(a.head);
    expect(actionsOf(f, "agent/a/t")).toEqual(["merge.queued", "merge.refused"]);
  });

  it("refuses, never as failed tests, a candidate grove could not prepare for its test (a submodule nobody can fetch)", async () => {
    const f = (fx = await makeQueueFixture(1));
    await f.openGate();
    const main = await f.repo.git(["rev-parse", "main"]);
    const a = await f.branch("a");
    const head = await commitBrokenSubmodule(f.repo, a.path);
    const outcome = await f.land("a", head);
    expect(outcome.kind).toBe("refused");
    expect(outcome.kind === "refused" ? outcome.reason : "").toMatch(
      /^grove could not prepare the merged tree for its test \(.*no-such-repo\.git.*\); nothing was tested\.$/s,
    );
    expect(startsIn(await f.log())).toEqual([]);
    expect(await f.repo.git(["rev-parse", "main"])).toBe(main);
    expect(await f.repo.git(["rev-parse", "agent/a/t"])).toBe(head);
    expect(actionsOf(f, "agent/a/t")).toEqual(["merge.queued", "merge.refused"]);
  });

  it("refuses a dirty integration checkout before testing, and changes nothing", async () => {
    const f = (fx = await makeQueueFixture(1));
    await f.openGate();
    const main = await f.repo.git(["rev-parse", "main"]);
    const a = await f.branch("a");
    await writeFile(join(f.repo.dir, "README.md"), "# a human was here\n");
    const outcome = await f.land("a", a.head);
    expect(outcome.kind === "refused" ? outcome.reason : outcome.kind).toMatch(
      /main is checked out in .* with uncommitted changes[\s\S]*README\.md/,
    );
    // Refused before minutes of tests, not after them.
    expect(startsIn(await f.log())).toEqual([]);
    expect(await f.repo.git(["rev-parse", "main"])).toBe(main);
    expect(await readFile(join(f.repo.dir, "README.md"), "utf8")).toBe("# a human was here\n");
    expect(await f.repo.git(["rev-parse", "agent/a/t"])).toBe(a.head);

    // Once the checkout is clean again, the same approval lands.
    await f.repo.git(["checkout", "--", "README.md"]);
    expect(await f.land("a", a.head)).toMatchObject({ kind: "merged", mergedTreeTest: { status: "passed" } });
  });

  it("answers a resent request whose head already landed with the merge that brought it in, even after the branch is gone", async () => {
    const f = (fx = await makeQueueFixture(1));
    await f.openGate();
    const a = await f.branch("a");
    const first = await f.land("a", a.head);
    expect(first).toMatchObject({ kind: "merged", worktreeRemoved: true, branchDeleted: true });
    expect(await f.repo.git(["branch", "--list", "agent/a/t"])).toBe("");
    await commitIn(f, f.repo.dir, "later.txt");
    const main = await f.repo.git(["rev-parse", "main"]);
    const tests = startsIn(await f.log()).length;

    expect(await f.land("a", a.head)).toMatchObject({
      kind: "merged",
      sha: first.kind === "merged" ? first.sha : "",
      alreadyMerged: true,
      mergedTreeTest: { status: "skipped" },
    });
    expect(await f.repo.git(["rev-parse", "main"])).toBe(main);
    expect(startsIn(await f.log())).toHaveLength(tests);
    expect(actionsOf(f, "agent/a/t")).toContain("merge.already_merged");
  });

  it("never reports a branch without commits of its own as merged, even with edits left uncommitted in its worktree", async () => {
    const f = (fx = await makeQueueFixture(1));
    await f.openGate();
    const { path } = await createAgentWorktree({ repo: f.repo.dir, agent: "lazy", taskId: "t" });
    await f.repo.write({ "parts/lazy.json": "{}\n" }, { cwd: path });
    const main = await f.repo.git(["rev-parse", "main"]);
    expect(await f.land("lazy", await f.repo.git(["rev-parse", "agent/lazy/t"]))).toEqual({
      kind: "refused",
      reason: "agent/lazy/t has no commits that are not already on main: there is nothing to merge (nothing was changed).",
    });
    expect(startsIn(await f.log())).toEqual([]);
    expect(await f.repo.git(["rev-parse", "main"])).toBe(main);
    // Nothing was cleaned up: the edits stay in the worktree, the branch stays.
    expect(await readFile(join(path, "parts/lazy.json"), "utf8")).toBe("{}\n");
    expect(await f.repo.git(["branch", "--list", "--format=%(refname:short)", "agent/*"])).toBe("agent/lazy/t");
  });
});
