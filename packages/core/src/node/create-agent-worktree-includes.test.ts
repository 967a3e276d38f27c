import { lstat, readFile, readlink, realpath, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { makeTempRepo, type TempRepo } from "../test-support/temp-repo.ts";
import { createAgentWorktree } from "./create-agent-worktree.ts";

describe("createAgentWorktree with .worktreeinclude", () => {
  let repo: TempRepo;
  beforeEach(async () => {
    repo = await makeTempRepo({
      files: { "README.md": "# test\n", ".gitignore": ".env\nnode_modules/\ncache/\nsecrets/\n", ".worktreeinclude": ".env\nnode_modules/\ncache/\nsecrets/\n" },
    });
  });
  afterEach(async () => {
    await repo.cleanup();
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
});
