import { rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { makeTempRepo, type TempRepo } from "../test-support/temp-repo.ts";
import { cleanupAgentWorktrees } from "./cleanup-agent-worktrees.ts";
import { createAgentWorktree } from "./create-agent-worktree.ts";
import { listWorktrees } from "./list-worktrees.ts";
import { pruneWorktrees } from "./prune-worktrees.ts";

describe("cleanupAgentWorktrees and pruneWorktrees", () => {
  let repo: TempRepo;
  beforeEach(async () => {
    repo = await makeTempRepo();
  });
  afterEach(async () => {
    await repo.cleanup();
  });

  const agentCommit = async (path: string, file: string) => {
    await repo.write({ [file]: `${file}\n` }, { cwd: path });
    await repo.git(["add", "-A"], { cwd: path });
    await repo.git(["commit", "-q", "-m", file], { cwd: path });
    return repo.git(["rev-parse", "HEAD"], { cwd: path });
  };

  it("removes merged and clean worktrees, deletes merged branches, keeps locked, dirty and unmerged work", async () => {
    const merged = await createAgentWorktree({ repo: repo.dir, agent: "a", taskId: "merged" });
    await agentCommit(merged.path, "m.txt");
    await repo.git(["merge", "--no-ff", "-q", "-m", "merge", merged.branch]);
    const unmerged = await createAgentWorktree({ repo: repo.dir, agent: "a", taskId: "unmerged" });
    await agentCommit(unmerged.path, "u.txt");
    const dirty = await createAgentWorktree({ repo: repo.dir, agent: "a", taskId: "dirty" });
    await writeFile(join(dirty.path, "wip.txt"), "wip\n");
    const locked = await createAgentWorktree({
      repo: repo.dir,
      agent: "a",
      taskId: "locked",
      lockReason: "agent session in progress",
    });
    await repo.git(["branch", "agent/b/leftover", "main~1"]);

    const result = await cleanupAgentWorktrees({ repo: repo.dir });
    expect(result.removed.map((r) => r.branch).sort()).toEqual(["agent/a/merged", "agent/a/unmerged"]);
    expect(result.branchesDeleted.sort()).toEqual(["agent/a/merged", "agent/b/leftover"]);
    expect(result.kept.map((k) => k.branch).sort()).toEqual(["agent/a/dirty", "agent/a/locked", "agent/a/unmerged"]);
    expect((await listWorktrees(repo.dir)).map((w) => w.path)).toEqual([repo.dir, dirty.path, locked.path]);
    expect(await repo.git(["branch", "--list", "agent/*", "--format=%(refname:short)"])).toBe(
      ["agent/a/dirty", "agent/a/locked", "agent/a/unmerged"].join("\n"),
    );
  });

  it("prunes worktrees whose folder was deleted, keeping locked ones, with a dry run first", async () => {
    const gone = await createAgentWorktree({ repo: repo.dir, agent: "a", taskId: "gone" });
    const away = await createAgentWorktree({ repo: repo.dir, agent: "a", taskId: "away", lockReason: "on a usb drive" });
    await rm(gone.path, { recursive: true });
    await rm(away.path, { recursive: true });

    const dry = await pruneWorktrees({ repo: repo.dir, dryRun: true });
    expect(dry.pruned.map((w) => w.path)).toEqual([gone.path]);
    expect(await listWorktrees(repo.dir)).toHaveLength(3);

    const real = await pruneWorktrees({ repo: repo.dir });
    expect(real.pruned.map((w) => w.path)).toEqual([gone.path]);
    expect(real.keptLocked.map((w) => w.path)).toEqual([away.path]);
    expect((await listWorktrees(repo.dir)).map((w) => w.path)).toEqual([repo.dir, away.path]);
  });
});
