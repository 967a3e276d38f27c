import { access, lstat, mkdir, readdir, readFile, readlink, realpath, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { makeTempRepo, type TempRepo } from "../test-support/temp-repo.ts";
import { createAgentWorktree } from "./create-agent-worktree.ts";
import { listWorktrees } from "./list-worktrees.ts";
import { markSetUpPending } from "./set-up-worktree.ts";

describe("createAgentWorktree with .worktreeinclude", () => {
  let repo: TempRepo;
  beforeEach(async () => {
    repo = await makeTempRepo({
      files: {
        "README.md": "# test\n",
        ".gitignore": ".env\nnode_modules/\ncache/\nsecrets/\n",
        ".worktreeinclude": ".env\nnode_modules/\ncache/\nsecrets/\n",
      },
    });
  });
  afterEach(async () => {
    await repo.cleanup();
  });

  const state = async () => ({
    worktrees: (await listWorktrees(repo.dir)).map((w) => w.path),
    branches: await repo.git(["for-each-ref", "--format=%(refname)", "refs/heads/"]),
    trash: await readdir(join(repo.dir, ".git", "grove-trash")).catch(() => []),
  });

  it("copies symlinks as the same symlinks: to a file, to a folder (relative), and absolute", async () => {
    // A workspace package, tracked: the worktree has its own copy, which a relative link then reaches.
    await repo.write({ "pkg/bin/tool": "#!/bin/sh\necho tool\n" });
    await repo.git(["add", "-A"]);
    await repo.git(["commit", "-q", "-m", "workspace package"]);
    const elsewhere = join(repo.root, "shared-tool");
    await writeFile(elsewhere, "shared\n");
    await repo.write({ "node_modules/dep/index.js": "module.exports = 1;\n" });
    await symlink("../pkg/bin", join(repo.dir, "node_modules", ".bin"));
    await symlink("dep/index.js", join(repo.dir, "node_modules", "main.js"));
    await symlink(elsewhere, join(repo.dir, "node_modules", "shared"));
    const links = ["node_modules/.bin", "node_modules/main.js", "node_modules/shared"];

    const created = await createAgentWorktree({ repo: repo.dir, agent: "demo", taskId: "t1" });
    expect(created.includedFiles.sort()).toEqual([...links, "node_modules/dep/index.js"].sort());
    for (const link of links) {
      expect((await lstat(join(created.path, link))).isSymbolicLink()).toBe(true);
      expect(await readlink(join(created.path, link))).toBe(await readlink(join(repo.dir, link)));
    }
    expect(await realpath(join(created.path, "node_modules", ".bin", "tool"))).toBe(join(created.path, "pkg", "bin", "tool"));
    expect(await readFile(join(created.path, "node_modules", "main.js"), "utf8")).toBe("module.exports = 1;\n");
    expect(await readFile(join(created.path, "node_modules", "shared"), "utf8")).toBe("shared\n");
    expect(await repo.git(["status", "--porcelain"], { cwd: created.path })).toBe("");
  });

  it("removes the worktree and its new branch again when copying fails midway, and a re-run completes", async () => {
    await repo.write({ ".env": "TOKEN=1\n", "secrets/key.pem": "key\n" });
    // The fault, for real: the branch the worktree starts from has a file where the includes need a folder.
    await repo.git(["checkout", "-q", "-b", "odd"]);
    await repo.write({ cache: "a tracked file\n" });
    await repo.git(["add", "-f", "cache"]);
    await repo.git(["commit", "-q", "-m", "a file named cache"]);
    await repo.git(["checkout", "-q", "main"]);
    await repo.write({ "cache/data.txt": "cached\n" });
    const before = await state();

    const error = await createAgentWorktree({ repo: repo.dir, agent: "demo", taskId: "t1", base: "odd" }).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({
      code: "IO_FAILED",
      message: expect.stringContaining("removed it again, and its new branch agent/demo/t1") as unknown,
    });
    expect(await state()).toEqual(before);
    await expect(access(join(repo.root, "repo-wt-demo-t1"))).rejects.toThrow();

    await repo.git(["branch", "-f", "odd", "main"]);
    const created = await createAgentWorktree({ repo: repo.dir, agent: "demo", taskId: "t1", base: "odd" });
    expect(created).toMatchObject({ created: true, resumed: false });
    expect(created.includedFiles.sort()).toEqual([".env", "cache/data.txt", "secrets/key.pem"]);
    expect(await readFile(join(created.path, "secrets", "key.pem"), "utf8")).toBe("key\n");
  });

  it("keeps an existing branch when rolling back, and never touches its commits", async () => {
    await repo.git(["checkout", "-q", "-b", "agent/demo/t2"]);
    await repo.write({ node_modules: "a tracked file\n" });
    await repo.git(["add", "-f", "node_modules"]);
    await repo.git(["commit", "-q", "-m", "agent work"]);
    await repo.git(["checkout", "-q", "main"]);
    await repo.write({ "node_modules/dep/index.js": "x\n" });
    const before = await state();

    await expect(createAgentWorktree({ repo: repo.dir, agent: "demo", taskId: "t2" })).rejects.toMatchObject({
      code: "IO_FAILED",
    });
    expect(await state()).toEqual(before);
  });

  it("finishes the set-up an interrupted call left undone, without overwriting what is there, then says nothing changed", async () => {
    await repo.write({ ".env": "TOKEN=1\n", "node_modules/dep/index.js": "x\n" });
    await mkdir(join(repo.dir, "node_modules", ".bin"));
    await symlink("../dep/index.js", join(repo.dir, "node_modules", ".bin", "dep"));
    // What a grove process killed between `git worktree add` and the end of the copy leaves behind.
    const path = join(repo.root, "repo-wt-demo-t3");
    await repo.git(["worktree", "add", "-q", "-b", "agent/demo/t3", "--", path, "main"]);
    await markSetUpPending(path);
    await writeFile(join(path, ".env"), "TOKEN=agent's own\n");

    const resumed = await createAgentWorktree({ repo: repo.dir, agent: "demo", taskId: "t3" });
    expect(resumed).toMatchObject({ path, created: false, resumed: true });
    expect(await readFile(join(path, "node_modules", "dep", "index.js"), "utf8")).toBe("x\n");
    expect(await readlink(join(path, "node_modules", ".bin", "dep"))).toBe("../dep/index.js");
    expect(await readFile(join(path, ".env"), "utf8")).toBe("TOKEN=agent's own\n");

    expect(await createAgentWorktree({ repo: repo.dir, agent: "demo", taskId: "t3" })).toMatchObject({
      created: false,
      resumed: false,
      includedFiles: [],
    });
  });
});
