import { access, chmod, readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { makeTempRepo, type TempRepo } from "../test-support/temp-repo.ts";
import { createAgentWorktree } from "./create-agent-worktree.ts";
import { listWorktrees } from "./list-worktrees.ts";
import { isSetUpPending } from "./set-up-worktree.ts";

// The usual add is one `git worktree add` that also checks the files out; the repository lock is let go once git's
// metadata is made, while git still checks out (addNewWorktree). These check what each caller is handed.
describe("createAgentWorktree: the checkout in git's own add", () => {
  let repo: TempRepo;
  beforeEach(async () => {
    repo = await makeTempRepo();
  });
  afterEach(async () => {
    await repo.cleanup();
  });

  const state = async () => ({
    worktrees: (await listWorktrees(repo.dir)).map((w) => [w.path, w.branch]),
    refs: await repo.git(["for-each-ref", "--format=%(refname) %(objectname)"]),
    admin: await readdir(join(repo.dir, ".git", "worktrees")).catch(() => []),
  });
  const isGone = (path: string) =>
    access(path).then(
      () => false,
      () => true,
    );

  it("adds twenty worktrees at once from twenty bases: each holds exactly its base's tree, clean and set up", async () => {
    const bases: string[] = [];
    for (let i = 0; i < 20; i++) {
      await repo.git(["checkout", "-q", "-b", `base-${i}`, "main"]);
      await repo.write({ "which.txt": `${i}\n`, [`only-${i}/file.txt`]: `only in ${i}\n` });
      if (i % 2 === 0) await repo.git(["rm", "-q", "README.md"]);
      await repo.git(["add", "-A"]);
      await repo.git(["commit", "-q", "-m", `base ${i}`]);
      bases.push(await repo.git(["rev-parse", "HEAD"]));
    }
    await repo.git(["checkout", "-q", "main"]);

    const created = await Promise.all(
      bases.map((_, i) => createAgentWorktree({ repo: repo.dir, agent: "many", taskId: `t${i}`, base: `base-${i}` })),
    );
    for (const [i, worktree] of created.entries()) {
      expect(worktree).toMatchObject({ created: true, resumed: false, baseSha: bases[i] });
      expect(await repo.git(["rev-parse", "HEAD"], { cwd: worktree.path })).toBe(bases[i]);
      expect(await repo.git(["symbolic-ref", "HEAD"], { cwd: worktree.path })).toBe(`refs/heads/agent/many/t${i}`);
      expect(await repo.git(["status", "--porcelain", "--ignored"], { cwd: worktree.path })).toBe("");
      expect(await readFile(join(worktree.path, "which.txt"), "utf8")).toBe(`${i}\n`);
      expect((await readdir(worktree.path)).sort()).toEqual(
        [".git", `only-${i}`, "which.txt", ...(i % 2 === 0 ? [] : ["README.md"])].sort(),
      );
      expect(await isSetUpPending(worktree.path)).toBe(false);
    }
    expect((await listWorktrees(repo.dir)).filter((w) => w.agent === "many")).toHaveLength(20);
    expect(await isGone(join(repo.dir, ".git", "grove.lock"))).toBe(true);
  }, 240_000);

  it("undoes an add whose checkout fails in git (git removes the worktree, grove the branch); a re-run adds it", async () => {
    // The fault, for real: a required smudge filter that fails, so that git's `reset --hard` in the add fails.
    await repo.write({ ".gitattributes": "*.bin filter=broken\n", "data.bin": "data\n" });
    await repo.git(["add", "-A"]);
    await repo.git(["commit", "-q", "-m", "filtered file"]);
    // Written into the config file: grove's git refuses to set a filter command itself.
    const config = join(repo.dir, ".git", "config");
    const configText = await readFile(config, "utf8");
    await writeFile(config, `${configText}[filter "broken"]\n\tsmudge = false\n\trequired = true\n`);
    const before = await state();

    const error = await createAgentWorktree({ repo: repo.dir, agent: "demo", taskId: "t1" }).catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: "GIT_FAILED",
      message: expect.stringContaining("removed it again, and its new branch agent/demo/t1") as unknown,
    });
    expect(await state()).toEqual(before);
    expect(await isGone(join(repo.root, "repo-wt-demo-t1"))).toBe(true);
    expect(await isGone(join(repo.dir, ".git", "grove.lock"))).toBe(true);

    await writeFile(config, `${configText}[filter "broken"]\n\tsmudge = cat\n\tclean = cat\n\trequired = true\n`);
    const created = await createAgentWorktree({ repo: repo.dir, agent: "demo", taskId: "t1" });
    expect(created).toMatchObject({ created: true, resumed: false });
    expect(await readFile(join(created.path, "data.bin"), "utf8")).toBe("data\n");
    expect(await repo.git(["status", "--porcelain"], { cwd: created.path })).toBe("");
  });

  it("undoes an add whose post-checkout hook fails (git keeps that worktree): worktree and branch removed", async () => {
    const hook = join(repo.dir, ".git", "hooks", "post-checkout");
    await writeFile(hook, `#!${process.execPath}\nprocess.exit(3);\n`);
    await chmod(hook, 0o755);
    const before = await state();

    const error = await createAgentWorktree({ repo: repo.dir, agent: "demo", taskId: "t2" }).catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: "GIT_FAILED",
      message: expect.stringContaining("removed it again, and its new branch agent/demo/t2") as unknown,
    });
    expect(await state()).toEqual(before);
    expect(await isGone(join(repo.root, "repo-wt-demo-t2"))).toBe(true);
  });
});
