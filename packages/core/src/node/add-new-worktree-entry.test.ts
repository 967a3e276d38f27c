import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { makeTempRepo, type TempRepo } from "../test-support/temp-repo.ts";
import { addNewWorktreeEntry, isWayClear } from "./add-new-worktree-entry.ts";
import { createAgentWorktree } from "./create-agent-worktree.ts";
import { listWorktrees, type WorktreeInfo } from "./list-worktrees.ts";
import { openRepo, worktreePathFor, type RepoContext } from "./open-repo.ts";
import { runGit } from "./run-git.ts";

describe("isWayClear + addNewWorktreeEntry (the one-process add)", () => {
  let repo: TempRepo;
  let ctx: RepoContext;
  beforeEach(async () => {
    repo = await makeTempRepo();
    ctx = await openRepo(repo.dir);
  });
  afterEach(async () => {
    await repo.cleanup();
  });

  const input = (taskId: string, base = "main") => ({
    agent: "demo",
    taskId,
    branch: `agent/demo/${taskId}`,
    base,
    path: worktreePathFor(ctx, "demo", taskId),
  });
  /** As createAgentWorktree tries it: the way checked on a listing from before, then the add (null: refused). */
  const tryAdd = async (entry: ReturnType<typeof input>, early: WorktreeInfo[]) => {
    expect(await isWayClear(entry, early)).toBe(true);
    return addNewWorktreeEntry(ctx, entry);
  };
  const catFileCommit = async (name: string) =>
    (await runGit(["cat-file", "--batch-check=%(objectname)"], { cwd: repo.dir, input: `${name}^{commit}\n` })).stdout.trim();
  const state = async () => ({
    worktrees: (await listWorktrees(repo.dir)).map((w) => [w.path, w.branch]),
    refs: await repo.git(["for-each-ref", "--format=%(refname) %(objectname)"]),
  });

  it("sees the way blocked by a worktree on the branch, a worktree at the path, or files at the path", async () => {
    await repo.git(["worktree", "add", "-q", "-b", "agent/demo/t1", "--", join(repo.root, "elsewhere"), "main"]);
    await repo.git(["worktree", "add", "-q", "-b", "other", "--", input("t2").path, "main"]);
    await mkdir(input("t3").path);
    await writeFile(join(input("t3").path, "mine.txt"), "mine\n");
    const listed = await listWorktrees(repo.dir);
    for (const taskId of ["t1", "t2", "t3"]) expect(await isWayClear(input(taskId), listed), taskId).toBe(false);
    expect(await isWayClear(input("t4"), listed)).toBe(true);
  });

  // What came in the way after isWayClear looked (before the lock) makes git refuse: nothing changes.
  it("returns null and changes nothing when a branch of that name appeared after its listing", async () => {
    expect(await isWayClear(input("t1"), await listWorktrees(repo.dir))).toBe(true);
    await repo.git(["branch", "agent/demo/t1", "main"]);
    const before = await state();
    expect(await addNewWorktreeEntry(ctx, input("t1"))).toBeNull();
    expect(await state()).toEqual(before);
  });

  it("returns null and changes nothing when a worktree appeared at its path after its listing", async () => {
    expect(await isWayClear(input("t1"), await listWorktrees(repo.dir))).toBe(true);
    await repo.git(["worktree", "add", "-q", "-b", "other", "--", input("t1").path, "main"]);
    const before = await state();
    expect(await addNewWorktreeEntry(ctx, input("t1"))).toBeNull();
    expect(await state()).toEqual(before);
  });

  it("returns null and changes nothing when files appeared at its path after its listing", async () => {
    expect(await isWayClear(input("t1"), await listWorktrees(repo.dir))).toBe(true);
    await mkdir(input("t1").path);
    await writeFile(join(input("t1").path, "mine.txt"), "mine\n");
    const before = await state();
    expect(await addNewWorktreeEntry(ctx, input("t1"))).toBeNull();
    expect(await state()).toEqual(before);
  });

  it("returns null for a base that names no commit, creating no branch", async () => {
    const before = await state();
    expect(await tryAdd(input("t1", "no-such-branch"), await listWorktrees(repo.dir))).toBeNull();
    expect(await state()).toEqual(before);
  });

  it("starts the branch at the commit an annotated tag names, as `cat-file <base>^{commit}` does", async () => {
    await repo.git(["tag", "-a", "-m", "r", "v1", "main"]);
    const peeled = await catFileCommit("v1");
    expect(peeled).toBe(await repo.git(["rev-parse", "main"]));
    const made = await tryAdd(input("t1", "v1"), await listWorktrees(repo.dir));
    expect(made).toMatchObject({ baseSha: peeled, created: true, isNewBranch: true, isPending: true });
    expect(await repo.git(["rev-parse", "refs/heads/agent/demo/t1"])).toBe(peeled);
  });

  it("leaves an ambiguous base to the careful path, which takes what `cat-file` takes (the tag before the branch)", async () => {
    await repo.write({ "later.txt": "later\n" });
    await repo.git(["add", "-A"]);
    await repo.git(["commit", "-q", "-m", "later"]);
    await repo.git(["branch", "release", "main"]);
    await repo.git(["tag", "-a", "-m", "r", "release", "main~1"]);
    const tagged = await catFileCommit("release");
    expect(tagged).toBe(await repo.git(["rev-parse", "main~1"]));
    const before = await state();
    // `git branch` refuses an ambiguous start point; nothing is made.
    expect(await tryAdd(input("t1", "release"), await listWorktrees(repo.dir))).toBeNull();
    expect(await state()).toEqual(before);
    const created = await createAgentWorktree({ repo: repo.dir, agent: "demo", taskId: "t1", base: "release" });
    expect(created.baseSha).toBe(tagged);
    expect(await repo.git(["rev-parse", "refs/heads/agent/demo/t1"])).toBe(tagged);
  });

  it("does not make the agent branch track a remote-tracking base", async () => {
    const clone = join(repo.root, "clone");
    await repo.git(["clone", "-q", "--", repo.dir, clone]);
    const created = await createAgentWorktree({ repo: clone, agent: "demo", taskId: "t1", base: "origin/main" });
    expect(created.baseSha).toBe(await repo.git(["rev-parse", "main"]));
    const tracking = await runGit(["config", "--get-regexp", "^branch\\.agent/demo/t1\\."], { cwd: clone, okExitCodes: [0, 1] });
    expect(tracking.stdout).toBe("");
  });
});
