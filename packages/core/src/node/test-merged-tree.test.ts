import { spawn } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { commitBrokenSubmodule } from "../test-support/broken-checkout.ts";
import { exists } from "../test-support/merge-fixtures.ts";
import { makeTempRepo, type TempRepo } from "../test-support/temp-repo.ts";
import { isPidAlive } from "./lock-file.ts";
import { listMergeTestTrees, removeStaleMergeTrees } from "./stale-merge-trees.ts";
import { testMergedTree } from "./test-merged-tree.ts";

let repo: TempRepo;
beforeEach(async () => {
  repo = await makeTempRepo();
});
afterEach(() => repo.cleanup());

describe("the merged-tree test's temporary worktree", () => {
  it("is removed after the test, green or red", async () => {
    const sha = await repo.git(["rev-parse", "HEAD"]);
    for (const code of [0, 3]) {
      const result = await testMergedTree({
        repo: repo.dir,
        sha,
        test: `"${process.execPath}" -e "console.log(process.cwd()); process.exit(${code})"`,
        env: { PATH: process.env.PATH },
      });
      expect(result).toMatchObject({ status: code === 0 ? "passed" : "failed", exitCode: code });
      expect(result.outputTail).toMatch(/grove-merge-test-\w+\/tree$/);
      expect(await exists(dirname(result.outputTail))).toBe(false);
    }
    expect(await repo.git(["worktree", "list", "--porcelain"])).not.toContain("grove-merge-test-");
  });

  it("gets the main checkout's .worktreeinclude files, then runs setup, then the test, like an agent's worktree", async () => {
    await repo.write({ ".gitignore": "node_modules/\nsetup-saw.txt\n", ".worktreeinclude": "node_modules/\n" });
    await repo.git(["add", "-A"]);
    await repo.git(["commit", "-q", "-m", "dependencies come from .worktreeinclude"]);
    await repo.write({ "node_modules/dep/index.js": "module.exports = 42;\n" });
    const node = `"${process.execPath}" -e`;
    const setup = `${node} "const fs = require('fs'); fs.writeFileSync('setup-saw.txt', String(fs.existsSync('node_modules/dep/index.js')))"`;
    const test = `${node} "if (require('fs').readFileSync('setup-saw.txt', 'utf8') !== 'true') process.exit(2); console.log('dep is', require('dep'))"`;

    const result = await testMergedTree({
      repo: repo.dir,
      sha: await repo.git(["rev-parse", "HEAD"]),
      test,
      setup,
      env: { PATH: process.env.PATH },
    });
    expect(result).toMatchObject({ status: "passed", exitCode: 0, outputTail: "dep is 42" });
  });

  it("says which step failed: grove preparing the tree, the setup command, or the test command", async () => {
    const fail = (code: number) => `"${process.execPath}" -e "process.exit(${code})"`;
    const env = { PATH: process.env.PATH };
    const green = await repo.git(["rev-parse", "HEAD"]);
    expect(await testMergedTree({ repo: repo.dir, sha: green, setup: fail(4), test: fail(0), env })).toMatchObject({
      status: "failed",
      step: "setup",
      exitCode: 4,
    });
    expect(await testMergedTree({ repo: repo.dir, sha: green, setup: fail(0), test: fail(3), env })).toMatchObject({
      status: "failed",
      step: "test",
      exitCode: 3,
    });
    for (const warm of [undefined, { integration: "main" }]) {
      const broken = await commitBrokenSubmodule(repo);
      const result = await testMergedTree({ repo: repo.dir, sha: broken, test: fail(0), env, ...(warm ? { warm } : {}) });
      expect(result).toMatchObject({ status: "failed", step: "prepare", exitCode: null });
      expect(result.outputTail).toContain("no-such-repo.git");
    }
  });

  it("is cleaned up after its grove process was killed -9 mid-test, and a live one is left alone", async () => {
    const sha = await repo.git(["rev-parse", "HEAD"]);
    const script = fileURLToPath(new URL("../test-support/hang-merge-test.ts", import.meta.url));
    const child = spawn(process.execPath, ["--import", "tsx", script, repo.dir, sha], {
      cwd: dirname(script),
      stdio: ["ignore", "pipe", "inherit"],
    });
    const testPid = await new Promise<number>((resolve) => {
      let out = "";
      child.stdout.on("data", (chunk: Buffer) => {
        out += chunk.toString();
        const match = /started (\d+)/.exec(out);
        if (match?.[1]) resolve(Number(match[1]));
      });
    });
    const tree = /worktree (\S*grove-merge-test-\S*)/.exec(await repo.git(["worktree", "list", "--porcelain"]))?.[1] ?? "";
    expect(await removeStaleMergeTrees(repo.dir)).toEqual([]);
    expect(await exists(tree)).toBe(true);

    child.kill("SIGKILL");
    process.kill(testPid, "SIGKILL");
    await new Promise((resolve) => child.once("exit", resolve));
    await waitUntil(() => !isPidAlive(testPid));
    // What the killed test left in its tree is kept, not deleted with it.
    await writeFile(join(tree, "left-by-the-test.txt"), "partial output\n");
    expect((await listMergeTestTrees(repo.dir)).map((t) => [t.path, t.isOwned])).toEqual([[tree, false]]);
    const [removed, ...more] = await removeStaleMergeTrees(repo.dir);
    expect(more).toEqual([]);
    expect(removed?.path).toBe(tree);
    expect(removed?.snapshotRef).toMatch(/^refs\/grove\/merge-test\/\d+$/);
    expect(await repo.git(["show", `${removed?.snapshotRef ?? ""}:left-by-the-test.txt`])).toBe("partial output");
    expect(await exists(dirname(tree))).toBe(false);
    expect(await repo.git(["worktree", "list", "--porcelain"])).not.toContain("grove-merge-test-");
  });
});

async function waitUntil(check: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((r) => setTimeout(r, 20));
}
