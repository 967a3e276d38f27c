import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { commitManyFiles } from "../test-support/commit-many-files.ts";
import { exists } from "../test-support/merge-fixtures.ts";
import { scratchDir } from "../test-support/scratch-dir.ts";
import { makeTempRepo, type TempRepo } from "../test-support/temp-repo.ts";
import { createAgentWorktree, type CreatedWorktree } from "./create-agent-worktree.ts";
import { listWorktrees } from "./list-worktrees.ts";
import { removeAgentWorktree } from "./remove-agent-worktree.ts";
import { withRepoLock } from "./repo-lock.ts";
import { isCheckedOut, isSetUpPending } from "./set-up-worktree.ts";

// Adds check out their files outside the repository lock (only git's metadata is made under it), so that
// concurrent adds check out in parallel; no call is handed a worktree before its checkout finished.
const FILE_COUNT = 10_000;
const PARALLEL = 10;
const SLOW = 240_000;

describe("adding worktrees of a larger repository concurrently", () => {
  let repo: TempRepo;
  beforeAll(async () => {
    repo = await makeTempRepo({ parent: await scratchDir() });
    await commitManyFiles(repo.dir, { branch: "many", from: "main", count: FILE_COUNT });
    await repo.write({ "grove.yaml": "integration: many\n" });
  }, SLOW);
  afterAll(async () => {
    await repo.cleanup();
  }, SLOW);

  /** What a caller was handed, looked at the moment the call returned. */
  const handedOut = async (created: CreatedWorktree) => ({
    created: created.created,
    isCheckedOut: await isCheckedOut(created.path),
    isPending: await isSetUpPending(created.path),
    status: await repo.git(["status", "--porcelain"], { cwd: created.path }),
  });

  it(
    "grants the repository lock to another caller while an add is still checking out the files",
    async () => {
      const path = join(repo.root, "repo-wt-demo-lock");
      const lockFile = join(repo.dir, ".git", "grove.lock");
      let isSettled = false;
      const adding = createAgentWorktree({ repo: repo.dir, agent: "demo", taskId: "lock" }).finally(() => (isSettled = true));
      // The worktree's entry exists (git's metadata is made): from here on the add needs no lock.
      while (!isSettled && !(await exists(join(path, ".git")))) await sleep(1);
      expect(isSettled).toBe(false);
      const wasCheckedOutWhenGranted = await withRepoLock(repo.dir, () => isCheckedOut(path));
      expect(wasCheckedOutWhenGranted).toBe(false);
      expect(await handedOut(await adding)).toEqual({ created: true, isCheckedOut: true, isPending: false, status: "" });
      expect(await exists(lockFile)).toBe(false);
    },
    SLOW,
  );

  it(
    "two calls ensuring the same worktree at once: both are handed it only once it is checked out, one created it",
    async () => {
      const both = await Promise.all(
        [0, 1].map(() => createAgentWorktree({ repo: repo.dir, agent: "demo", taskId: "twice" }).then(handedOut)),
      );
      expect(both.map((b) => b.created).sort()).toEqual([false, true]);
      for (const b of both) expect(b).toMatchObject({ isCheckedOut: true, isPending: false, status: "" });
    },
    SLOW,
  );

  it(
    `adds ${PARALLEL} worktrees at once, then removes them at once, without a failure`,
    async () => {
      const taskIds = Array.from({ length: PARALLEL }, (_, i) => `p${i}`);
      const added = await Promise.allSettled(
        taskIds.map((taskId) => createAgentWorktree({ repo: repo.dir, agent: "load", taskId }).then(handedOut)),
      );
      expect(added.flatMap((o) => (o.status === "rejected" ? [String(o.reason)] : []))).toEqual([]);
      for (const o of added)
        expect(o.status === "fulfilled" && o.value).toEqual({ created: true, isCheckedOut: true, isPending: false, status: "" });
      const paths = (await listWorktrees(repo.dir)).filter((w) => w.agent === "load").map((w) => w.path);
      expect(paths).toHaveLength(PARALLEL);
      for (const path of paths) expect(await readdir(join(path, "src"))).toHaveLength(FILE_COUNT / 100);

      const removed = await Promise.allSettled(
        taskIds.map((taskId) => removeAgentWorktree({ repo: repo.dir, agent: "load", taskId, deleteBranch: true })),
      );
      expect(removed.flatMap((o) => (o.status === "rejected" ? [String(o.reason)] : []))).toEqual([]);
      expect((await listWorktrees(repo.dir)).filter((w) => w.agent === "load")).toEqual([]);
      for (const path of paths) expect(await exists(path)).toBe(false);
      expect(await repo.git(["branch", "--list", "agent/load/*"])).toBe("");
    },
    SLOW,
  );
});
