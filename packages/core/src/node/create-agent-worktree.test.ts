import { access, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { makeTempRepo, type TempRepo } from "../test-support/temp-repo.ts";
import { runTsScript } from "../test-support/spawn-tsx.ts";
import { createAgentWorktree } from "./create-agent-worktree.ts";
import { listWorktrees } from "./list-worktrees.ts";

const raceScript = fileURLToPath(new URL("../test-support/race-create.ts", import.meta.url));

describe("createAgentWorktree", () => {
  let repo: TempRepo;
  beforeEach(async () => {
    repo = await makeTempRepo();
  });
  afterEach(async () => {
    await repo.cleanup();
  });

  it("creates agent/<agent>/<task> from main in the sibling folder, and is idempotent", async () => {
    const main = await repo.git(["rev-parse", "main"]);
    const first = await createAgentWorktree({ repo: repo.dir, agent: "demo", taskId: "t1" });
    const path = join(repo.root, "repo-wt-demo-t1");
    expect(first).toEqual({ path, branch: "agent/demo/t1", baseSha: main, created: true, resumed: false, includedFiles: [] });
    expect(await repo.git(["rev-parse", "--abbrev-ref", "HEAD"], { cwd: path })).toBe("agent/demo/t1");
    expect(await readFile(join(path, "README.md"), "utf8")).toBe("# test repo\n");

    const second = await createAgentWorktree({ repo: repo.dir, agent: "demo", taskId: "t1" });
    expect(second).toEqual({ ...first, created: false });
    const worktrees = await listWorktrees(repo.dir);
    expect(worktrees.map((w) => [w.path, w.branch, w.agent, w.taskId])).toEqual([
      [repo.dir, "main", null, null],
      [path, "agent/demo/t1", "demo", "t1"],
    ]);
  });

  it("branches from --base and locks with a reason when asked", async () => {
    await repo.git(["checkout", "-q", "-b", "develop"]);
    await repo.write({ "dev.txt": "d\n" });
    await repo.git(["add", "-A"]);
    await repo.git(["commit", "-q", "-m", "dev"]);
    const develop = await repo.git(["rev-parse", "develop"]);
    await repo.git(["checkout", "-q", "main"]);

    const created = await createAgentWorktree({
      repo: repo.dir,
      agent: "demo",
      taskId: "t2",
      base: "develop",
      lockReason: "agent session in progress",
    });
    expect(created.baseSha).toBe(develop);
    expect(await repo.git(["rev-parse", "agent/demo/t2"])).toBe(develop);
    const worktree = (await listWorktrees(repo.dir)).find((w) => w.branch === "agent/demo/t2");
    expect(worktree?.locked).toBe("agent session in progress");
  });

  it("reuses an existing branch that is not checked out", async () => {
    await repo.write({ "work.txt": "w\n" });
    await repo.git(["checkout", "-q", "-b", "agent/demo/t3"]);
    await repo.git(["add", "-A"]);
    await repo.git(["commit", "-q", "-m", "agent work"]);
    const tip = await repo.git(["rev-parse", "HEAD"]);
    await repo.git(["checkout", "-q", "main"]);

    const created = await createAgentWorktree({ repo: repo.dir, agent: "demo", taskId: "t3" });
    expect(created.created).toBe(true);
    expect(created.baseSha).toBe(await repo.git(["rev-parse", "main"]));
    expect(await repo.git(["rev-parse", "HEAD"], { cwd: created.path })).toBe(tip);
  });

  it("refuses a branch checked out in another worktree, naming that worktree", async () => {
    const elsewhere = join(repo.root, "elsewhere");
    await repo.git(["worktree", "add", "-q", "-b", "agent/demo/t4", "--", elsewhere, "main"]);
    const before = await repo.git(["worktree", "list", "--porcelain"]);

    await expect(createAgentWorktree({ repo: repo.dir, agent: "demo", taskId: "t4" })).rejects.toMatchObject({
      code: "BRANCH_CHECKED_OUT",
      message: expect.stringContaining(elsewhere) as unknown,
    });
    await expect(createAgentWorktree({ repo: repo.dir, agent: "demo", taskId: "t4" })).rejects.toThrow(
      /only one worktree at a time/,
    );
    expect(await repo.git(["worktree", "list", "--porcelain"])).toBe(before);
  });

  it.each([
    ["demo", "../escape"],
    ["-rf", "t1"],
    ["demo", "t 1"],
    ["demo", "x.lock"],
    ["de@{mo", "t1"],
    ["demo", "a/b"],
    ["", "t1"],
  ])("creates nothing for agent %j task %j", async (agent, taskId) => {
    const branches = await repo.git(["for-each-ref", "--format=%(refname)"]);
    await expect(createAgentWorktree({ repo: repo.dir, agent, taskId })).rejects.toMatchObject({ code: "INVALID_NAME" });
    expect(await repo.git(["for-each-ref", "--format=%(refname)"])).toBe(branches);
    expect(await listWorktrees(repo.dir)).toHaveLength(1);
  });

  it("rejects a bad base ref before touching anything", async () => {
    await expect(createAgentWorktree({ repo: repo.dir, agent: "demo", taskId: "t5", base: "main..evil" })).rejects.toMatchObject({
      code: "INVALID_NAME",
    });
    await expect(createAgentWorktree({ repo: repo.dir, agent: "demo", taskId: "t5", base: "nope" })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    expect(await repo.git(["branch", "--list", "agent/*"])).toBe("");
  });

  it("recreates a worktree whose folder was deleted by hand", async () => {
    const first = await createAgentWorktree({ repo: repo.dir, agent: "demo", taskId: "t6" });
    await rm(first.path, { recursive: true, force: true });
    const again = await createAgentWorktree({ repo: repo.dir, agent: "demo", taskId: "t6" });
    expect(again.created).toBe(true);
    await access(join(again.path, "README.md"));
    expect((await listWorktrees(repo.dir)).filter((w) => w.prunable !== null)).toEqual([]);
  });

  it("uses the worktrees template from grove.yaml", async () => {
    await repo.write({ "grove.yaml": "worktrees: ../trees/{agent}--{task}\n" });
    const created = await createAgentWorktree({ repo: repo.dir, agent: "demo", taskId: "t7" });
    expect(created.path).toBe(join(repo.root, "trees", "demo--t7"));
  });

  it("copies the git-ignored files listed in .worktreeinclude, and nothing else", async () => {
    await repo.write({ ".gitignore": ".env\nsecrets/\nbuild/\n", ".worktreeinclude": ".env\nsecrets/\nREADME.md\n" });
    await repo.git(["add", "-A"]);
    await repo.git(["commit", "-q", "-m", "ignore rules"]);
    await repo.write({ ".env": "TOKEN=1\n", "secrets/key.pem": "key\n", "build/out.js": "x\n", "scratch.txt": "untracked\n" });

    const created = await createAgentWorktree({ repo: repo.dir, agent: "demo", taskId: "t9" });
    expect(created.includedFiles.sort()).toEqual([".env", "secrets/key.pem"]);
    expect(await readFile(join(created.path, ".env"), "utf8")).toBe("TOKEN=1\n");
    expect(await readFile(join(created.path, "secrets", "key.pem"), "utf8")).toBe("key\n");
    await expect(access(join(created.path, "build"))).rejects.toThrow();
    await expect(access(join(created.path, "scratch.txt"))).rejects.toThrow();
    expect(await repo.git(["status", "--porcelain"], { cwd: created.path })).toBe("");
  });

  it("initializes submodules in the new worktree", async () => {
    const sub = await makeTempRepo({ files: { "lib.txt": "from submodule\n" } });
    try {
      // git ≥ 2.38.1 refuses file:// submodule clones unless allowed in the clone's own (global) config. Set in
      // the environment (the operator's, which grove trusts): runGit refuses `-c protocol.file.allow` in argv.
      Object.assign(process.env, {
        GIT_CONFIG_COUNT: "1",
        GIT_CONFIG_KEY_0: "protocol.file.allow",
        GIT_CONFIG_VALUE_0: "always",
      });
      await repo.git(["submodule", "add", "-q", "--", sub.dir, "vendor/lib"]);
      await repo.git(["commit", "-q", "-m", "add submodule"]);
      const created = await createAgentWorktree({ repo: repo.dir, agent: "demo", taskId: "t8" });
      expect(await readFile(join(created.path, "vendor", "lib", "lib.txt"), "utf8")).toBe("from submodule\n");
    } finally {
      for (const name of ["GIT_CONFIG_COUNT", "GIT_CONFIG_KEY_0", "GIT_CONFIG_VALUE_0"]) delete process.env[name];
      await sub.cleanup();
    }
  });

  it("creates twenty worktrees requested at once", async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => createAgentWorktree({ repo: repo.dir, agent: `agent${i % 4}`, taskId: `task-${i}` })),
    );
    expect(results.every((r) => r.created)).toBe(true);
    const worktrees = await listWorktrees(repo.dir);
    expect(worktrees).toHaveLength(21);
    expect(new Set(worktrees.map((w) => w.branch)).size).toBe(21);
    const branches = (await repo.git(["branch", "--list", "agent/*", "--format=%(refname:short)"])).split("\n");
    expect(branches.sort()).toEqual(results.map((r) => r.branch).sort());
  });

  it("creates worktrees from two processes racing on one repository", async () => {
    const [a, b] = await Promise.all([
      runTsScript(raceScript, [repo.dir, "alpha", "10"]),
      runTsScript(raceScript, [repo.dir, "beta", "10"]),
    ]);
    expect(a.stderr + b.stderr).toBe("");
    expect(JSON.parse(a.stdout)).toEqual({ ok: 10, failures: [] });
    expect(JSON.parse(b.stdout)).toEqual({ ok: 10, failures: [] });
    const worktrees = await listWorktrees(repo.dir);
    expect(worktrees.filter((w) => w.agent === "alpha")).toHaveLength(10);
    expect(worktrees.filter((w) => w.agent === "beta")).toHaveLength(10);
  });
});
