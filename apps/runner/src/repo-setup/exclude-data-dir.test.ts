import { openRepo } from "@grove/core/node";
import { makeTempRepo } from "@grove/core/test-support";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { expect, it } from "vitest";
import { excludeDataDir } from "./exclude-data-dir.ts";

it("keeps a data dir inside the repository out of git status, once", async () => {
  const repo = await makeTempRepo();
  try {
    const ctx = await openRepo(repo.dir);
    const dataDir = join(repo.dir, ".grove-data", "runner");
    await mkdir(join(dataDir, "runs"), { recursive: true });
    await writeFile(join(dataDir, "runs", "context-pack.md"), "secret plan");
    expect(await repo.git(["status", "--porcelain"])).toContain(".grove-data");

    expect(await excludeDataDir(ctx, dataDir)).toBe(true);
    expect(await excludeDataDir(ctx, dataDir)).toBe(false);
    expect(await repo.git(["status", "--porcelain", "--untracked-files=all"])).toBe("");
    expect(await excludeDataDir(ctx, join(repo.root, "elsewhere"))).toBe(false);
  } finally {
    await repo.cleanup();
  }
});
