import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { access, mkdir, mkdtemp, readdir, realpath, rename, rm, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { basename, join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { makeTempRepo, type TempRepo } from "../test-support/temp-repo.ts";
import { createAgentWorktree } from "./create-agent-worktree.ts";
import { listWorktrees } from "./list-worktrees.ts";
import { removeAgentWorktree } from "./remove-agent-worktree.ts";

describe("removeAgentWorktree", () => {
  let repo: TempRepo;
  let path: string;
  beforeEach(async () => {
    repo = await makeTempRepo({ files: { "README.md": "# test\n", "src/app.ts": "export const a = 1;\n" } });
    path = (await createAgentWorktree({ repo: repo.dir, agent: "demo", taskId: "t1" })).path;
  });
  afterEach(async () => {
    await repo.cleanup();
  });

  const state = async () => ({
    worktrees: await repo.git(["worktree", "list", "--porcelain"]),
    refs: await repo.git(["for-each-ref", "--format=%(refname) %(objectname)"]),
  });

  const commitInWorktree = async (file: string, content: string) => {
    await repo.write({ [file]: content }, { cwd: path });
    await repo.git(["add", "-A"], { cwd: path });
    await repo.git(["commit", "-q", "-m", `agent: ${file}`], { cwd: path });
  };

  it("removes a clean worktree and deletes its merged branch", async () => {
    const result = await removeAgentWorktree({ repo: repo.dir, agent: "demo", taskId: "t1", deleteBranch: true });
    expect(result).toEqual({ removed: true, branchDeleted: true, snapshotRef: null });
    expect(await listWorktrees(repo.dir)).toHaveLength(1);
    expect(await repo.git(["branch", "--list", "agent/*"])).toBe("");
    await expect(access(path)).rejects.toThrow();
  });

  it("is idempotent when the worktree is already gone", async () => {
    await removeAgentWorktree({ repo: repo.dir, agent: "demo", taskId: "t1" });
    expect(await removeAgentWorktree({ repo: repo.dir, agent: "demo", taskId: "t1" })).toEqual({
      removed: false,
      branchDeleted: false,
      snapshotRef: null,
    });
  });

  it("refuses a dirty worktree, listing what would be lost, and changes nothing", async () => {
    await writeFile(join(path, "src", "app.ts"), "export const a = 2;\n");
    await writeFile(join(path, "notes.md"), "untracked\n");
    const before = await state();
    const error = await removeAgentWorktree({ repo: repo.dir, agent: "demo", taskId: "t1", deleteBranch: true }).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: "DIRTY_WORKTREE" });
    expect(String(error)).toContain("src/app.ts");
    expect(String(error)).toContain("notes.md");
    expect(await state()).toEqual(before);
    await access(join(path, "notes.md"));
  });

  it("refuses to delete an unmerged branch, listing its commits, and changes nothing", async () => {
    await commitInWorktree("feature.txt", "f\n");
    const before = await state();
    const error = await removeAgentWorktree({ repo: repo.dir, agent: "demo", taskId: "t1", deleteBranch: true }).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: "UNMERGED_BRANCH" });
    expect(String(error)).toContain("agent: feature.txt");
    expect(await state()).toEqual(before);
  });

  it("refuses a locked worktree without force", async () => {
    await repo.git(["worktree", "lock", "--reason", "agent session in progress", "--", path]);
    const before = await state();
    await expect(removeAgentWorktree({ repo: repo.dir, agent: "demo", taskId: "t1" })).rejects.toThrow(
      /locked \(agent session in progress\)/,
    );
    expect(await state()).toEqual(before);
  });

  it("with force, first archives uncommitted and untracked work, then removes everything", async () => {
    await commitInWorktree("feature.txt", "f\n");
    const branchHead = await repo.git(["rev-parse", "agent/demo/t1"]);
    await writeFile(join(path, "src", "app.ts"), "export const a = 2;\n");
    await writeFile(join(path, "notes.md"), "untracked\n");
    await repo.git(["worktree", "lock", "--reason", "agent session in progress", "--", path]);

    const result = await removeAgentWorktree({ repo: repo.dir, agent: "demo", taskId: "t1", force: true, deleteBranch: true });
    expect(result.removed).toBe(true);
    expect(result.branchDeleted).toBe(true);
    expect(result.snapshotRef).toMatch(/^refs\/grove\/archive\/demo\/t1\/\d+$/);
    const ref = result.snapshotRef ?? "";
    expect(await repo.git(["show", `${ref}:src/app.ts`])).toBe("export const a = 2;");
    expect(await repo.git(["show", `${ref}:notes.md`])).toBe("untracked");
    expect(await repo.git(["show", `${ref}:feature.txt`])).toBe("f");
    expect(await repo.git(["rev-parse", `${ref}^`])).toBe(branchHead);
    expect(await listWorktrees(repo.dir)).toHaveLength(1);
    expect(await repo.git(["branch", "--list", "agent/*"])).toBe("");
    await expect(access(path)).rejects.toThrow();
  });

  it("with force on a clean but unmerged branch, keeps the branch head under the archive", async () => {
    await commitInWorktree("feature.txt", "f\n");
    const branchHead = await repo.git(["rev-parse", "agent/demo/t1"]);
    const result = await removeAgentWorktree({ repo: repo.dir, agent: "demo", taskId: "t1", force: true, deleteBranch: true });
    expect(await repo.git(["rev-parse", result.snapshotRef ?? "missing"])).toBe(branchHead);
  });

  it("prunes the entry of a worktree whose folder was deleted by hand", async () => {
    await rm(path, { recursive: true, force: true });
    expect((await listWorktrees(repo.dir))[1]?.prunable).not.toBeNull();
    const result = await removeAgentWorktree({ repo: repo.dir, agent: "demo", taskId: "t1", deleteBranch: true });
    expect(result).toEqual({ removed: false, branchDeleted: true, snapshotRef: null });
    expect(await listWorktrees(repo.dir)).toHaveLength(1);
  });

  it("cleans up after a grove process that died between moving a worktree aside and deleting it", async () => {
    const trash = join(repo.dir, ".git", "grove-trash");
    const host = encodeURIComponent(hostname());
    const leftover = join(trash, `${host}.${await exitedPid()}.${randomUUID()}`);
    const inProgress = join(trash, `${host}.${process.pid}.${randomUUID()}`);
    // What the dead process had done under the lock: the folder renamed into the trash, not yet pruned.
    await mkdir(trash);
    await rename(path, leftover);
    // And another process's deletion, still under way.
    await mkdir(inProgress);
    await writeFile(join(inProgress, "file.txt"), "x\n");
    expect((await listWorktrees(repo.dir))[1]?.prunable).not.toBeNull();

    const result = await removeAgentWorktree({ repo: repo.dir, agent: "demo", taskId: "t1", deleteBranch: true });
    expect(result).toEqual({ removed: false, branchDeleted: true, snapshotRef: null });
    expect(await listWorktrees(repo.dir)).toHaveLength(1);
    expect(await readdir(trash)).toEqual([basename(inProgress)]);
    expect((await createAgentWorktree({ repo: repo.dir, agent: "demo", taskId: "t1" })).created).toBe(true);
  });

  it("never removes the main checkout, even when it has the agent's branch checked out", async () => {
    await removeAgentWorktree({ repo: repo.dir, agent: "demo", taskId: "t1" });
    await repo.git(["checkout", "-q", "agent/demo/t1"]);
    await expect(
      removeAgentWorktree({ repo: repo.dir, agent: "demo", taskId: "t1", force: true, deleteBranch: true }),
    ).rejects.toMatchObject({
      code: "INVALID_INPUT",
      message: expect.stringContaining("main checkout") as unknown,
    });
    expect(await repo.git(["rev-parse", "--abbrev-ref", "HEAD"])).toBe("agent/demo/t1");
    await access(join(repo.dir, "src", "app.ts"));
  });

  it.skipIf(!existsSync("/dev/shm"))(
    "removes in place a worktree on another file system, which cannot be moved aside",
    async () => {
      const elsewhere = await realpath(await mkdtemp(join("/dev/shm", "grove-test-")));
      try {
        const other = join(elsewhere, "wt");
        await repo.git(["worktree", "add", "-q", "-b", "agent/demo/t2", "--", other, "main"]);
        const result = await removeAgentWorktree({ repo: repo.dir, agent: "demo", taskId: "t2", deleteBranch: true });
        expect(result).toEqual({ removed: true, branchDeleted: true, snapshotRef: null });
        await expect(access(other)).rejects.toThrow();
        expect(await listWorktrees(repo.dir)).toHaveLength(2);
        expect(await readdir(join(repo.dir, ".git", "grove-trash")).catch(() => [])).toEqual([]);
      } finally {
        await rm(elsewhere, { recursive: true, force: true });
      }
    },
  );
});

async function exitedPid(): Promise<number> {
  const child = spawn(process.execPath, ["-e", ""]);
  await new Promise((resolve) => child.once("exit", resolve));
  return child.pid ?? -1;
}
