import { markSetUpPending, type WorktreeInfo } from "@grove/core/node";
import { makeTempRepo, type TempRepo } from "@grove/core/test-support";
import { readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runGrove } from "../test-support/grove-process.ts";

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

  it("reports checkout progress on stderr, a few lines, not git's redraws", async () => {
    await repo.write(Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`src/f${i}.txt`, `file ${i}\n`])));
    await repo.git(["add", "-A"]);
    await repo.git(["commit", "-q", "-m", "300 files"]);
    // git shows progress only after GIT_PROGRESS_DELAY seconds (default 2).
    const result = await runGrove(["worktree", "add", "demo", "p1", "--json"], {
      cwd: repo.dir,
      env: { GIT_PROGRESS_DELAY: "0" },
    });
    expect(result.code).toBe(0);
    const lines = result.stderr.split("\n").filter((line) => line.startsWith("checkout: updating files"));
    expect(lines.at(-1)).toBe("checkout: updating files 100% (301/301)");
    expect(lines.length).toBeLessThanOrEqual(6);
    expect(JSON.parse(result.stdout)).toMatchObject({ created: true, branch: "agent/demo/p1" });
  });

  it("finishes a worktree an interrupted add left without its .worktreeinclude files, runs setup, and only then says Already there", async () => {
    await repo.write({
      ".gitignore": ".env\n",
      ".worktreeinclude": ".env\n",
      "grove.yaml": "setup: echo done > setup-ran.txt\n",
    });
    await repo.git(["add", "-A"]);
    await repo.git(["commit", "-q", "-m", "includes and setup"]);
    await repo.write({ ".env": "TOKEN=1\n" });
    // What a grove process killed between `git worktree add` and the end of the copy leaves behind.
    const path = join(repo.root, "repo-wt-demo-i1");
    await repo.git(["worktree", "add", "-q", "-b", "agent/demo/i1", "--", path, "main"]);
    await markSetUpPending(path);

    const finished = await grove("worktree", "add", "demo", "i1");
    expect(finished.code).toBe(0);
    expect(finished.stdout).toContain(`Finished ${path}`);
    expect(finished.stdout).toContain("copied 1 file(s) listed in .worktreeinclude");
    expect(await readFile(join(path, ".env"), "utf8")).toBe("TOKEN=1\n");
    expect(await readFile(join(path, "setup-ran.txt"), "utf8")).toBe("done\n");
    expect((await grove("worktree", "add", "demo", "i1")).stdout).toContain("Already there");
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

  it("runs grove.yaml's setup in the new worktree, streaming its output to stderr, and reports a failing setup", async () => {
    await repo.write({ "grove.yaml": "setup: echo installing && echo done > setup-ran.txt\n" });
    await repo.git(["add", "-A"]);
    await repo.git(["commit", "-q", "-m", "setup"]);
    const added = await grove("worktree", "add", "demo", "s1", "--json");
    expect(added.code).toBe(0);
    expect(added.stderr).toContain("setup| installing");
    expect(added.json()).toMatchObject({ created: true, setup: { exitCode: 0 } });
    expect(await readFile(join(repo.root, "repo-wt-demo-s1", "setup-ran.txt"), "utf8")).toBe("done\n");

    await repo.write({ "grove.yaml": "setup: echo broken >&2; exit 3\n" });
    const failed = await grove("worktree", "add", "demo", "s2");
    expect(failed.code).toBe(2);
    expect(failed.stderr).toContain("setup| broken");
    expect(failed.stderr).toContain("grove: The setup command exited with 3");
    const skipped = await grove("worktree", "add", "demo", "s3", "--no-setup");
    expect(skipped.code).toBe(0);
  });

  it("runs setup with the user's environment: no grove secret, nothing pnpm added for grove", async () => {
    await repo.write({
      "grove.yaml": 'setup: echo "token=$GROVE_RUNNER_TOKEN pm=$npm_config_user_agent mine=$MY_VAR" > setup-env.txt\n',
    });
    await repo.git(["add", "-A"]);
    await repo.git(["commit", "-q", "-m", "setup"]);
    const env = { GROVE_RUNNER_TOKEN: "runner-token-0123456789abcdef", npm_config_user_agent: "pnpm/12.4.2", MY_VAR: "kept" };
    const added = await runGrove(["worktree", "add", "demo", "e1"], { cwd: repo.dir, env });
    expect(added.code).toBe(0);
    expect(await readFile(join(repo.root, "repo-wt-demo-e1", "setup-env.txt"), "utf8")).toBe("token= pm= mine=kept\n");
  });

  it("moves a worktree and sets up the bare layout", async () => {
    await grove("worktree", "add", "demo", "m1");
    const moved = await grove("worktree", "move", "demo", "m1", "../moved");
    expect(moved.code).toBe(0);
    expect((await listJson())[1]?.path).toBe(join(repo.root, "moved"));

    const init = await runGrove(["init", "--bare", repo.dir, "peer.git", "--json"], { cwd: repo.root });
    expect(init.code).toBe(0);
    expect(JSON.parse(init.stdout)).toEqual({
      repo: join(repo.root, "peer.git"),
      integrationWorktree: join(repo.root, "peer-main"),
      integration: "main",
    });
    const add = await runGrove(["worktree", "add", "demo", "b1", "--json"], { cwd: join(repo.root, "peer-main") });
    expect(JSON.parse(add.stdout)).toMatchObject({ path: join(repo.root, "peer-wt-demo-b1"), created: true });
  });

  it("twenty `grove worktree add` processes started at once all succeed", async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => grove("worktree", "add", `agent${i % 5}`, `task-${i}`, "--json")),
    );
    expect(results.filter((r) => r.code !== 0 || r.stderr !== "").map((r) => `${r.code}: ${r.stderr}`)).toEqual([]);
    const worktrees = await listJson();
    expect(worktrees).toHaveLength(21);
    expect(new Set(worktrees.map((w) => w.branch)).size).toBe(21);
  });
});
