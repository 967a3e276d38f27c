import { link, mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { makeTempRepo, type TempRepo } from "../test-support/temp-repo.ts";
import { createAgentWorktree } from "./create-agent-worktree.ts";
import { measureDiskLedger } from "./disk-ledger.ts";
import { testMergedTree } from "./test-merged-tree.ts";

const KB = 1024;

describe("the disk ledger of a repository's worktrees (real git, real files)", () => {
  let repo: TempRepo;
  let one: string;
  let two: string;
  beforeEach(async () => {
    repo = await makeTempRepo({ files: { ".gitignore": "node_modules/\n", "data.bin": "x".repeat(100 * KB) } });
    one = (await createAgentWorktree({ repo: repo.dir, agent: "demo", taskId: "t1" })).path;
    two = (await createAgentWorktree({ repo: repo.dir, agent: "demo", taskId: "t2" })).path;
    // A dependency folder in each: the second's file is a hard link to the first's, as a shared store makes it.
    for (const dir of [one, two]) await mkdir(join(dir, "node_modules", "dep"), { recursive: true });
    await writeFile(join(one, "node_modules", "dep", "index.js"), "y".repeat(300 * KB));
    await link(join(one, "node_modules", "dep", "index.js"), join(two, "node_modules", "dep", "index.js"));
    await link(join(one, "node_modules", "dep", "index.js"), join(one, "node_modules", "dep", "again.js"));
  });
  afterEach(() => repo.cleanup());

  it("sizes each worktree's tracked files apart from its dependencies, counting a hard-linked file once", async () => {
    const ledger = await measureDiskLedger(repo.dir);
    expect(ledger.worktrees.map((w) => [w.branch, w.kind, w.isPartial])).toEqual([
      ["agent/demo/t1", "agent", false],
      ["agent/demo/t2", "agent", false],
    ]);
    for (const w of ledger.worktrees) {
      expect(w.trackedBytes).toBeGreaterThanOrEqual(100 * KB);
      expect(w.trackedBytes).toBeLessThan(200 * KB);
      // index.js and again.js are one file: counted once in its worktree.
      expect(w.otherBytes).toBeGreaterThanOrEqual(300 * KB);
      expect(w.otherBytes).toBeLessThan(450 * KB);
    }
    const [first, second] = ledger.worktrees;
    const sum = (first?.trackedBytes ?? 0) + (first?.otherBytes ?? 0) + (second?.trackedBytes ?? 0) + (second?.otherBytes ?? 0);
    // The dependency shared by both worktrees counts once in the total.
    expect(ledger.sharedBytes).toBe(second?.otherBytes);
    expect(ledger.totalBytes).toBe(sum - ledger.sharedBytes);
    expect(ledger.isPartial).toBe(false);
  });

  it("stops at its cap on entries and says the figures are at least what it counted", async () => {
    const ledger = await measureDiskLedger(repo.dir, { maxEntries: 3, maxMs: 60_000 });
    expect(ledger.isPartial).toBe(true);
    expect(ledger.worktrees.at(-1)?.isPartial).toBe(true);
    const full = await measureDiskLedger(repo.dir);
    expect(ledger.totalBytes).toBeLessThan(full.totalBytes);
  });

  it("lists the merge queue's warm merge trees as merge trees, with their size", async () => {
    const sha = await repo.git(["rev-parse", "HEAD"]);
    const test = await testMergedTree({
      repo: repo.dir,
      sha,
      test: `"${process.execPath}" -e 0`,
      env: { PATH: process.env.PATH },
      warm: { integration: "main" },
    });
    expect(test.status).toBe("passed");
    const ledger = await measureDiskLedger(repo.dir);
    const warm = ledger.worktrees.filter((w) => w.kind === "merge-tree");
    expect(warm).toHaveLength(1);
    expect(warm[0]?.path).toContain(".grove-warm");
    expect(warm[0]?.trackedBytes).toBeGreaterThanOrEqual(100 * KB);
  });
});
