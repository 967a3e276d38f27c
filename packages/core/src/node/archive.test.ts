import { readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { makeTempRepo, type TempRepo } from "../test-support/temp-repo.ts";
import { listArchives, restoreArchive } from "./archive.ts";
import { createAgentWorktree } from "./create-agent-worktree.ts";
import { removeAgentWorktree } from "./remove-agent-worktree.ts";
import { runGit } from "./run-git.ts";

describe("archive list / restore", () => {
  let repo: TempRepo;
  beforeEach(async () => {
    repo = await makeTempRepo({ files: { "README.md": "# test\n", "gone.txt": "will be deleted\n" } });
  });
  afterEach(async () => {
    await repo.cleanup();
  });

  it("round-trips a forced removal: commits, uncommitted edits, deletions and untracked files come back", async () => {
    const { path } = await createAgentWorktree({ repo: repo.dir, agent: "demo", taskId: "t1" });
    await repo.write({ "feature.txt": "committed\n" }, { cwd: path });
    await repo.git(["add", "-A"], { cwd: path });
    await repo.git(["commit", "-q", "-m", "agent commit"], { cwd: path });
    const head = await repo.git(["rev-parse", "HEAD"], { cwd: path });
    await writeFile(join(path, "README.md"), "# edited\n");
    await writeFile(join(path, "untracked.txt"), "new\n");
    await rm(join(path, "gone.txt"));
    const status = async () => (await runGit(["status", "--porcelain", "--untracked-files=all"], { cwd: path })).stdout;
    const statusBefore = await status();
    expect(statusBefore).toBe(" M README.md\n D gone.txt\n?? untracked.txt\n");

    const removed = await removeAgentWorktree({ repo: repo.dir, agent: "demo", taskId: "t1", force: true, deleteBranch: true });
    const archives = await listArchives(repo.dir);
    expect(archives).toHaveLength(1);
    expect(archives[0]).toMatchObject({ ref: removed.snapshotRef, agent: "demo", taskId: "t1", isSnapshot: true });

    const restored = await restoreArchive({ repo: repo.dir, ref: removed.snapshotRef ?? "" });
    expect(restored).toEqual({ ref: removed.snapshotRef, path, branch: "agent/demo/t1", restoredUncommitted: true });
    expect(await repo.git(["rev-parse", "agent/demo/t1"])).toBe(head);
    expect(await readFile(join(path, "README.md"), "utf8")).toBe("# edited\n");
    expect(await readFile(join(path, "untracked.txt"), "utf8")).toBe("new\n");
    expect(await status()).toBe(statusBefore);
  });

  it("restores a branch-only archive and refuses to overwrite a branch that moved on", async () => {
    const { path } = await createAgentWorktree({ repo: repo.dir, agent: "demo", taskId: "t2" });
    await repo.write({ "feature.txt": "x\n" }, { cwd: path });
    await repo.git(["add", "-A"], { cwd: path });
    await repo.git(["commit", "-q", "-m", "agent commit"], { cwd: path });
    const head = await repo.git(["rev-parse", "HEAD"], { cwd: path });
    const { snapshotRef } = await removeAgentWorktree({
      repo: repo.dir,
      agent: "demo",
      taskId: "t2",
      force: true,
      deleteBranch: true,
    });
    const ref = snapshotRef?.replace("refs/grove/archive/", "") ?? "";

    await repo.git(["branch", "agent/demo/t2", "main"]);
    await expect(restoreArchive({ repo: repo.dir, ref })).rejects.toMatchObject({ code: "ALREADY_EXISTS" });
    const restored = await restoreArchive({ repo: repo.dir, ref, taskId: "t2-restored" });
    expect(restored).toMatchObject({ branch: "agent/demo/t2-restored", restoredUncommitted: false });
    expect(await repo.git(["rev-parse", "HEAD"], { cwd: restored.path })).toBe(head);
  });

  it("says which archive does not exist", async () => {
    await expect(restoreArchive({ repo: repo.dir, ref: "demo/t9/123" })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(restoreArchive({ repo: repo.dir, ref: "nonsense" })).rejects.toMatchObject({ code: "INVALID_INPUT" });
  });
});
