import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { makeTempRepo, type TempRepo } from "../test-support/temp-repo.ts";
import { createAgentWorktree } from "./create-agent-worktree.ts";
import type { GitProgress } from "./run-git.ts";

describe("createAgentWorktree with a progress listener", () => {
  let repo: TempRepo;
  beforeEach(async () => {
    repo = await makeTempRepo({
      files: Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`src/f${i}.txt`, `file ${i}\n`.repeat(40)])),
    });
    // git shows checkout progress only after GIT_PROGRESS_DELAY seconds (default 2): at once here.
    process.env.GIT_PROGRESS_DELAY = "0";
  });
  afterEach(async () => {
    delete process.env.GIT_PROGRESS_DELAY;
    await repo.cleanup();
  });

  it("reports git's checkout progress and leaves the same worktree as without one", async () => {
    const seen: GitProgress[] = [];
    const created = await createAgentWorktree({
      repo: repo.dir,
      agent: "demo",
      taskId: "t1",
      lockReason: "busy",
      onProgress: (p) => seen.push(p),
    });
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((p) => p.method === "checkout" && p.total === 300)).toBe(true);
    expect(created).toMatchObject({ created: true, resumed: false, branch: "agent/demo/t1" });
    expect(await repo.git(["rev-parse", "--abbrev-ref", "HEAD"], { cwd: created.path })).toBe("agent/demo/t1");
    expect(await repo.git(["status", "--porcelain"], { cwd: created.path })).toBe("");
    expect(await readFile(join(created.path, "src", "f299.txt"), "utf8")).toBe("file 299\n".repeat(40));
    expect(await repo.git(["worktree", "list", "--porcelain"])).toContain("locked busy");
  });

  it("checks out the files of a worktree whose add was interrupted before them", async () => {
    const path = join(repo.root, "repo-wt-demo-t2");
    await repo.git(["worktree", "add", "-q", "--no-checkout", "-b", "agent/demo/t2", "--", path, "main"]);
    // What createAgentWorktree leaves right after `worktree add`: the set-up-pending mark in the worktree's git folder.
    await writeFile(join(await repo.git(["rev-parse", "--absolute-git-dir"], { cwd: path }), "grove-setup-pending"), "");

    const resumed = await createAgentWorktree({ repo: repo.dir, agent: "demo", taskId: "t2" });
    expect(resumed).toMatchObject({ created: false, resumed: true, path });
    expect(await repo.git(["status", "--porcelain"], { cwd: path })).toBe("");
    expect(await readFile(join(path, "src", "f0.txt"), "utf8")).toBe("file 0\n".repeat(40));
  });

  it("checks out a worktree whose add was killed before it was even marked: no index, no file but .git", async () => {
    const path = join(repo.root, "repo-wt-demo-t3");
    await repo.git(["worktree", "add", "-q", "--no-checkout", "-b", "agent/demo/t3", "--", path, "main"]);

    const resumed = await createAgentWorktree({ repo: repo.dir, agent: "demo", taskId: "t3" });
    expect(resumed).toMatchObject({ created: false, resumed: true, path });
    expect(await repo.git(["status", "--porcelain"], { cwd: path })).toBe("");
    expect(await readFile(join(path, "src", "f0.txt"), "utf8")).toBe("file 0\n".repeat(40));
  });

  it("never checks out over files in a worktree without an index that grove did not mark", async () => {
    const path = join(repo.root, "repo-wt-demo-t4");
    await repo.git(["worktree", "add", "-q", "--no-checkout", "-b", "agent/demo/t4", "--", path, "main"]);
    await writeFile(join(path, "notes.txt"), "someone's work\n");

    expect(await createAgentWorktree({ repo: repo.dir, agent: "demo", taskId: "t4" })).toMatchObject({
      created: false,
      resumed: false,
    });
    expect(await readFile(join(path, "notes.txt"), "utf8")).toBe("someone's work\n");
  });
});
