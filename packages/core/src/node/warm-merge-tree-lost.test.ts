import { spawnSync } from "node:child_process";
import { chmod, open, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { exists, waitUntil } from "../test-support/spawner-faults.ts";
import { makeTempRepo, type TempRepo } from "../test-support/temp-repo.ts";
import { processSpawnerReady, useProcessSpawner } from "./process-spawner.ts";
import { testMergedTree } from "./test-merged-tree.ts";
import { removeWarmMergeTrees } from "./warm-merge-trees.ts";

// This file's setup (process-spawner-setup.ts) has put the spawner in use, as the runner and `grove session run` do.
describe("a warm merge tree when the process spawner dies under its checkout", () => {
  let repo: TempRepo;
  beforeEach(async () => {
    useProcessSpawner();
    await processSpawnerReady();
    repo = await makeTempRepo({ files: { "a.txt": "one\n" } });
  });
  afterEach(async () => {
    await removeWarmMergeTrees(repo.dir).catch(() => undefined);
    await repo.cleanup();
  });

  it("runs the checkout again and tests the candidate: a lost git is no failed test", async () => {
    const fifo = join(repo.root, "hold");
    const held = join(repo.root, "held");
    expect(spawnSync("mkfifo", [fifo]).status).toBe(0);
    // The hook holds the first checkout of the candidate in the new tree (its files written; worktree add's own
    // checkout, from the null sha, passes) until the test lets it go.
    const hook = join(repo.dir, ".git", "hooks", "post-checkout");
    await writeFile(
      hook,
      `#!/bin/sh\n[ "$1" != ${"0".repeat(40)} ] && [ ! -e '${held}' ] && { : > '${held}'; cat '${fifo}' > /dev/null; }\nexit 0\n`,
    );
    await chmod(hook, 0o755);
    const sha = await repo.git(["rev-parse", "HEAD"]);

    const testing = testMergedTree({
      repo: repo.dir,
      sha,
      test: "cat a.txt",
      env: { PATH: process.env.PATH ?? "" },
      warm: { integration: "main" },
    });
    await waitUntil(() => exists(held));
    process.kill((await processSpawnerReady()) as number, "SIGKILL");
    const result = await testing;
    await (await open(fifo, "w")).close();

    expect(result).toMatchObject({ status: "passed", exitCode: 0 });
    expect(result.outputTail).toContain("one");
  });
});
