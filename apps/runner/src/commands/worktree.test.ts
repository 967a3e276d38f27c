import type { WorktreeInfo } from "@grove/core/node";
import { makeTempRepo, type TempRepo } from "@grove/core/test-support";
import { readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runGrove } from "./grove-process.ts";

describe("grove worktree / archive / prune / cleanup", () => {
  let repo: TempRepo;
  beforeEach(async () => {
    repo = await makeTempRepo();
  });
  afterEach(async () => {
    await repo.cleanup();
  });
  const grove = async (...args: string[]) => {
    const result = await runGrove(args, { cwd: repo.dir });
    return { ...result, json: (): unknown => JSON.parse(result.stdout) };
  };
  const listJson = async () => (await grove("worktree", "list", "--json")).json() as WorktreeInfo[];

  it("adds idempotently, lists, locks and unlocks", async () => {
    const first = await grove("worktree", "add", "demo", "t1", "--json");
    expect(first.code).toBe(0);
    const path = join(repo.root, "repo-wt-demo-t1");
    expect(first.json()).toMatchObject({ path, branch: "agent/demo/t1", created: true });
    expect((await grove("worktree", "add", "demo", "t1", "--json")).json()).toMatchObject({ path, created: false });

    expect((await grove("worktree", "lock", "demo", "t1", "--reason", "agent session in progress")).code).toBe(0);
    expect((await listJson()).map((w) => [w.path, w.branch, w.agent, w.taskId, w.locked])).toEqual([
      [repo.dir, "main", null, null, null],
      [path, "agent/demo/t1", "demo", "t1", "agent session in progress"],
    ]);
    const table = await grove("worktree", "list");
    expect(table.stdout).toContain("locked: agent session in progress");
    expect((await grove("worktree", "unlock", "demo", "t1")).code).toBe(0);
    expect((await listJson())[1]?.locked).toBeNull();
  });

  it("works with --repo from another folder", async () => {
    const result = await runGrove(["worktree", "add", "demo", "t2", "--repo", "repo"], { cwd: repo.root });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Created ${join(repo.root, "repo-wt-demo-t2")}`);
  });

  it("refuses to remove a dirty worktree with exit 2, then --force archives it and archive restore brings it back", async () => {
    await grove("worktree", "add", "demo", "t3");
    const path = join(repo.root, "repo-wt-demo-t3");
    await writeFile(join(path, "wip.txt"), "half done\n");

    const refused = await grove("worktree", "remove", "demo", "t3");
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("wip.txt");
    expect(refused.stderr).toContain("--force");
    expect(await listJson()).toHaveLength(2);

    const forced = await grove("worktree", "remove", "demo", "t3", "--force", "--json");
    expect(forced.code).toBe(0);
    const { snapshotRef } = forced.json() as { snapshotRef: string };
    expect(await listJson()).toHaveLength(1);
    expect(await repo.git(["branch", "--list", "agent/*"])).toBe("");

    const archives = (await grove("archive", "list", "--json")).json() as { ref: string }[];
    expect(archives.map((a) => a.ref)).toEqual([snapshotRef]);
    const restored = await grove("archive", "restore", snapshotRef.replace("refs/grove/archive/", ""));
    expect(restored.code).toBe(0);
    expect(await readFile(join(path, "wip.txt"), "utf8")).toBe("half done\n");
    expect(await repo.git(["status", "--porcelain"], { cwd: path })).toBe("?? wip.txt");
  });

  it("names the worktree that already holds a branch", async () => {
    const elsewhere = join(repo.root, "elsewhere");
    await repo.git(["worktree", "add", "-q", "-b", "agent/demo/t4", "--", elsewhere, "main"]);
    const result = await grove("worktree", "add", "demo", "t4");
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`already checked out in the worktree ${elsewhere}`);
  });

  it("prunes with --dry-run first, and cleans up after a session", async () => {
    await grove("worktree", "add", "demo", "gone");
    await grove("worktree", "add", "demo", "done");
    await rm(join(repo.root, "repo-wt-demo-gone"), { recursive: true });

    const dry = await grove("prune", "--dry-run");
    expect(dry.stdout).toContain(`Would prune ${join(repo.root, "repo-wt-demo-gone")}`);
    expect(await listJson()).toHaveLength(3);
    expect((await grove("prune")).code).toBe(0);
    expect(await listJson()).toHaveLength(2);

    const cleanup = await grove("cleanup", "--json");
    expect(cleanup.json()).toMatchObject({ removed: [{ branch: "agent/demo/done" }] });
    expect(await listJson()).toHaveLength(1);
    expect(await repo.git(["branch", "--list", "agent/*"])).toBe("");
  });

  it("twenty `grove worktree add` processes started at once all succeed", async () => {
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => grove("worktree", "add", `agent${i % 5}`, `task-${i}`, "--json")));
    expect(results.filter((r) => r.code !== 0 || r.stderr !== "").map((r) => `${r.code}: ${r.stderr}`)).toEqual([]);
    const worktrees = await listJson();
    expect(worktrees).toHaveLength(21);
    expect(new Set(worktrees.map((w) => w.branch)).size).toBe(21);
  });
});
