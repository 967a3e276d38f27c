import { mkdtemp, readFile, realpath, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { makeTempRepo, type TempRepo } from "../test-support/temp-repo.ts";
import { createAgentWorktree } from "./create-agent-worktree.ts";
import { listWorktrees } from "./list-worktrees.ts";
import { openRepo, worktreePathFor } from "./open-repo.ts";
import { initBareLayout } from "./init-bare-layout.ts";
import { moveAgentWorktree } from "./move-agent-worktree.ts";
import type { GitProgress } from "./run-git.ts";
import { lockWorktree, unlockWorktree } from "./worktree-lock.ts";

describe("openRepo", () => {
  let repo: TempRepo;
  beforeEach(async () => {
    repo = await makeTempRepo();
  });
  afterEach(async () => {
    await repo.cleanup();
  });

  it("opens a checkout with default config and resolves the worktree path template", async () => {
    const ctx = await openRepo(join(repo.dir, "."));
    expect(ctx).toMatchObject({ repo: repo.dir, commonDir: join(repo.dir, ".git"), isBare: false });
    expect(ctx.config.integration).toBe("main");
    expect(worktreePathFor(ctx, "demo", "t1")).toBe(join(repo.root, "repo-wt-demo-t1"));
  });

  it("resolves to the main checkout from inside an agent worktree", async () => {
    const { path } = await createAgentWorktree({ repo: repo.dir, agent: "demo", taskId: "t1" });
    expect((await openRepo(path)).repo).toBe(repo.dir);
  });

  it("reads grove.yaml and names the bad key when it is invalid", async () => {
    await repo.write({ "grove.yaml": "integration: develop\nports: { from: 5000, to: 6000 }\n" });
    expect((await openRepo(repo.dir)).config).toMatchObject({ integration: "develop", ports: { from: 5000, to: 6000 } });
    await repo.write({ "grove.yaml": "integration: 'a..b'\n" });
    await expect(openRepo(repo.dir)).rejects.toMatchObject({
      code: "INVALID_CONFIG",
      message: expect.stringContaining("integration") as unknown,
    });
  });

  it("is NOT_FOUND outside a repository or for a missing path", async () => {
    const plain = await realpath(await mkdtemp(join(tmpdir(), "grove-plain-")));
    try {
      await expect(openRepo(plain)).rejects.toMatchObject({ code: "NOT_FOUND" });
      await expect(openRepo(join(plain, "missing"))).rejects.toMatchObject({ code: "NOT_FOUND" });
    } finally {
      await rm(plain, { recursive: true, force: true });
    }
  });

  it("supports the bare layout where every worktree is a peer", async () => {
    const bare = join(repo.root, "prover.git");
    await repo.git(["clone", "-q", "--bare", "--", repo.dir, bare]);
    const ctx = await openRepo(bare);
    expect(ctx).toMatchObject({ repo: bare, isBare: true, commonDir: bare });
    const created = await createAgentWorktree({ repo: bare, agent: "demo", taskId: "t1" });
    expect(created.path).toBe(join(repo.root, "prover-wt-demo-t1"));
    const worktrees = await listWorktrees(bare);
    expect(worktrees.map((w) => [w.bare, w.branch])).toEqual([
      [true, null],
      [false, "agent/demo/t1"],
    ]);
  });
});

describe("lockWorktree / unlockWorktree", () => {
  let repo: TempRepo;
  beforeEach(async () => {
    repo = await makeTempRepo();
  });
  afterEach(async () => {
    await repo.cleanup();
  });

  it("locks with a reason, replaces the reason, unlocks, and is idempotent", async () => {
    const { path } = await createAgentWorktree({ repo: repo.dir, agent: "demo", taskId: "t1" });
    const lockOf = async () => (await listWorktrees(repo.dir))[1]?.locked;
    await lockWorktree(repo.dir, path, "agent session in progress");
    await lockWorktree(repo.dir, path, "agent session in progress");
    expect(await lockOf()).toBe("agent session in progress");
    await lockWorktree(repo.dir, path, "reviewing");
    expect(await lockOf()).toBe("reviewing");
    await unlockWorktree(repo.dir, path);
    await unlockWorktree(repo.dir, path);
    expect(await lockOf()).toBeNull();
    await expect(lockWorktree(repo.dir, join(repo.root, "nope"), "x")).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});

describe("initBareLayout and moveAgentWorktree", () => {
  let repo: TempRepo;
  beforeEach(async () => {
    repo = await makeTempRepo();
  });
  afterEach(async () => {
    await repo.cleanup();
  });

  it("clones into <name>.git with the integration worktree beside it, every worktree a peer", async () => {
    const layout = await initBareLayout({ source: repo.dir, target: "prover.git", cwd: repo.root });
    expect(layout).toEqual({
      repo: join(repo.root, "prover.git"),
      integrationWorktree: join(repo.root, "prover-main"),
      integration: "main",
    });
    const created = await createAgentWorktree({ repo: layout.integrationWorktree, agent: "demo", taskId: "t1" });
    expect(created.path).toBe(join(repo.root, "prover-wt-demo-t1"));
    expect((await listWorktrees(layout.repo)).map((w) => [w.path, w.bare, w.branch])).toEqual([
      [layout.repo, true, null],
      [layout.integrationWorktree, false, "main"],
      [created.path, false, "agent/demo/t1"],
    ]);
    await expect(initBareLayout({ source: repo.dir, target: "prover.git", cwd: repo.root })).rejects.toMatchObject({
      code: "ALREADY_EXISTS",
    });
  });

  it("reports the clone's and the checkout's progress when asked", async () => {
    await repo.write(Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`src/f${i}.txt`, `file ${i}\n`])));
    await repo.git(["add", "-A"]);
    await repo.git(["commit", "-q", "-m", "200 files"]);
    const seen: GitProgress[] = [];
    process.env.GIT_PROGRESS_DELAY = "0";
    try {
      const layout = await initBareLayout({
        source: `file://${repo.dir}`,
        target: "seen.git",
        cwd: repo.root,
        onProgress: (p) => seen.push(p),
      });
      expect(await repo.git(["status", "--porcelain"], { cwd: layout.integrationWorktree })).toBe("");
      expect(await readFile(join(layout.integrationWorktree, "src", "f199.txt"), "utf8")).toBe("file 199\n");
    } finally {
      delete process.env.GIT_PROGRESS_DELAY;
    }
    expect(new Set(seen.map((p) => p.method))).toEqual(new Set(["clone", "checkout"]));
    expect(seen.some((p) => p.method === "checkout" && p.total === 201)).toBe(true);
  });

  it("moves an agent worktree, refusing while it is locked", async () => {
    const created = await createAgentWorktree({
      repo: repo.dir,
      agent: "demo",
      taskId: "t1",
      lockReason: "agent session in progress",
    });
    const to = join(repo.root, "moved");
    await expect(moveAgentWorktree({ repo: repo.dir, agent: "demo", taskId: "t1", to })).rejects.toThrow(/locked/);
    await unlockWorktree(repo.dir, created.path);
    expect(await moveAgentWorktree({ repo: repo.dir, agent: "demo", taskId: "t1", to })).toEqual({ from: created.path, to });
    expect((await listWorktrees(repo.dir))[1]?.path).toBe(to);
  });
});
