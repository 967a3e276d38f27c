import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { commitBrokenCheckout } from "../test-support/broken-checkout.ts";
import { makeTempRepo, type TempRepo } from "../test-support/temp-repo.ts";
import { createAgentWorktree } from "./create-agent-worktree.ts";
import { listWorktrees } from "./list-worktrees.ts";
import { SHARED_DIR } from "./repo-lock-shared.ts";

// Twenty adds in one process whose checkouts all fail: the busy event loop lets git fail its checkout and remove the
// new worktree before grove marks it, or before grove takes its set-up lock, in some of them. Each must still be
// undone at once, its branch deleted: before, one such undo waited for the repository lock its own add still held.
// (git's folder for such a worktree may stay behind, emptied: grove wrote into it while git removed it. git ignores it,
// and the next `git worktree prune`, which a remove runs, deletes it.)
describe("createAgentWorktree: adds whose checkouts fail at once", () => {
  let repo: TempRepo;
  beforeEach(async () => {
    repo = await makeTempRepo();
  });
  afterEach(async () => {
    await repo.cleanup();
  });

  it("undoes each, also when git removed the worktree before grove marked it or took its set-up lock", async () => {
    // The fault, for real: git's `reset --hard` in the add fails.
    await commitBrokenCheckout(repo);

    const errors = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        createAgentWorktree({ repo: repo.dir, agent: "demo", taskId: `t${i}` }).catch((error: unknown) => error),
      ),
    );
    for (const [i, error] of errors.entries()) {
      expect(error).toMatchObject({ code: "GIT_FAILED" });
      expect(error instanceof Error ? error.message : error).toContain(`removed it again, and its new branch agent/demo/t${i}`);
    }
    expect(await repo.git(["for-each-ref", "refs/heads/agent"])).toBe("");
    expect((await listWorktrees(repo.dir)).map((w) => w.path)).toEqual([repo.dir]);
    expect(await readdir(join(repo.dir, ".git", SHARED_DIR))).toEqual([]);
    expect((await readdir(repo.root)).sort()).toEqual(["repo"]);
  }, 150_000);
});
