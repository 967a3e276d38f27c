import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { exists, GATED_TEST, makeGate } from "../test-support/merge-fixtures.ts";
import { makeTempRepo, type TempRepo } from "../test-support/temp-repo.ts";
import { runDoctor } from "./doctor.ts";
import { testMergedTree } from "./test-merged-tree.ts";
import { listWarmMergeTrees, removeWarmMergeTrees } from "./warm-merge-trees.ts";

let repo: TempRepo;
beforeEach(async () => {
  repo = await makeTempRepo();
});
afterEach(() => repo.cleanup());

describe("the repository's warm merge trees", () => {
  it("are listed with their size, shown by grove doctor, and removed only when no test runs in them", async () => {
    const sha = await repo.git(["rev-parse", "HEAD"]);
    const gates = [await makeGate(repo.root), await makeGate(repo.root)];
    const test = (gate: string) =>
      testMergedTree({
        repo: repo.dir,
        sha,
        test: GATED_TEST,
        env: { PATH: process.env.PATH, GATE: gate },
        warm: { integration: "main" },
      });
    // Two at once: two slots. Both done, then one busy again.
    const both = [test(gates[0]?.path ?? ""), test(gates[1]?.path ?? "")];
    await Promise.all(gates.map((gate) => gate.open()));
    await Promise.all(both);
    const busyGate = await makeGate(repo.root);
    const busy = test(busyGate.path);
    await waitFor(async () => (await listWarmMergeTrees(repo.dir)).some((tree) => tree.isInUse));

    const trees = await listWarmMergeTrees(repo.dir, { size: "measure" });
    expect(trees.map((tree) => [tree.integration, tree.isInUse])).toEqual([
      ["main", true],
      ["main", false],
    ]);
    expect(trees.every((tree) => (tree.sizeBytes ?? 0) > 0)).toBe(true);
    const report = await runDoctor({ repo: repo.dir });
    const found = report.findings.filter((f) => f.kind === "warm-merge-tree");
    expect(found.map((f) => [f.path, f.isSafeToFix])).toEqual(trees.map((tree) => [tree.path, false]));
    expect(found[1]?.message).toMatch(/warm merge tree of main, \d+(\.\d)? (B|KB|MB|GB) at its last setup, /);

    const [inUse, free] = trees;
    expect(await removeWarmMergeTrees(repo.dir)).toEqual([free?.path]);
    expect(await exists(free?.path ?? "")).toBe(false);
    expect(await exists(inUse?.path ?? "")).toBe(true);
    await busyGate.open();
    expect((await busy).status).toBe("passed");
    expect(await removeWarmMergeTrees(repo.dir)).toEqual([inUse?.path]);
    expect(await listWarmMergeTrees(repo.dir)).toEqual([]);
    expect(await repo.git(["worktree", "list", "--porcelain"])).not.toContain(".grove-warm");
  });
});

async function waitFor(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 500 && !(await check()); i++) await new Promise((r) => setTimeout(r, 20));
}
