import { listWarmMergeTrees, testMergedTree, type WarmMergeTree } from "@grove/core/node";
import { makeTempRepo, type TempRepo } from "@grove/core/test-support";
import { access } from "node:fs/promises";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runGrove } from "../test-support/grove-process.ts";

describe("grove cleanup --warm-trees", () => {
  let repo: TempRepo;
  beforeEach(async () => {
    repo = await makeTempRepo();
  });
  afterEach(() => repo.cleanup());

  it("lists the warm merge trees with their size, and removes them", async () => {
    const sha = await repo.git(["rev-parse", "HEAD"]);
    const test = `"${process.execPath}" -e "0"`;
    const result = await testMergedTree({
      repo: repo.dir,
      sha,
      test,
      env: { PATH: process.env.PATH },
      warm: { integration: "main" },
    });
    expect(result.status).toBe("passed");
    const [tree] = await listWarmMergeTrees(repo.dir);

    const dry = await runGrove(["cleanup", "--warm-trees", "--dry-run", "--json"], { cwd: repo.dir });
    const listed = JSON.parse(dry.stdout) as { trees: WarmMergeTree[]; removed: string[] };
    expect(listed.removed).toEqual([]);
    expect(listed.trees.map((t) => [t.path, t.integration, t.isInUse])).toEqual([[tree?.path, "main", false]]);
    expect(listed.trees[0]?.sizeBytes).toBeGreaterThan(0);

    const cleaned = await runGrove(["cleanup", "--warm-trees"], { cwd: repo.dir });
    expect(cleaned.stdout.trim()).toMatch(new RegExp(`^Removed ${tree?.path ?? ""} \\(main, \\d+\\.\\d MB\\)$`));
    expect(
      await access(tree?.path ?? "").then(
        () => true,
        () => false,
      ),
    ).toBe(false);
    expect(await listWarmMergeTrees(repo.dir)).toEqual([]);
  });
});
