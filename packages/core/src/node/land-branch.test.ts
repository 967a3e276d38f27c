import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { MergeStage } from "../schemas/merge.ts";
import { agentCommit, BUDGET_FILES, BUDGET_TEST, GATED_TEST, exists, makeGate } from "../test-support/merge-fixtures.ts";
import { makeTempRepo, type TempRepo } from "../test-support/temp-repo.ts";
import { createAgentWorktree } from "./create-agent-worktree.ts";
import { landBranch, type LandInput } from "./land-branch.ts";
import { testMergedTree } from "./test-merged-tree.ts";

let repo: TempRepo;
beforeEach(async () => {
  repo = await makeTempRepo({ files: { "README.md": "# app\n", "shared.txt": "line 1\n", ...BUDGET_FILES } });
});
afterEach(() => repo.cleanup());

const env = { PATH: process.env.PATH };
const land = (branch: string, approvedSha: string, extra: Partial<LandInput> = {}) =>
  landBranch({
    repo: repo.dir,
    into: "main",
    branch,
    approvedSha,
    message: `Merge ${branch}`,
    brain: "project-brain",
    test: { command: BUDGET_TEST, env },
    ...extra,
  });

describe("landBranch: the merge queue's one item", () => {
  it("lands only the first of two branches that are green alone and red together", async () => {
    const a = await agentCommit(repo, "alpha", "t1", { "parts/a.json": '{ "value": 6 }\n' });
    const b = await agentCommit(repo, "beta", "t2", { "parts/b.json": '{ "value": 6 }\n' });
    // Each is green on its own.
    for (const head of [a.head, b.head])
      expect((await testMergedTree({ repo: repo.dir, sha: head, test: BUDGET_TEST, env })).status).toBe("passed");

    const first = await land("agent/alpha/t1", a.head);
    expect(first).toMatchObject({ kind: "merged", commits: [a.head], mergedTreeTest: { status: "passed", exitCode: 0 } });
    const mainAfterFirst = await repo.git(["rev-parse", "main"]);
    expect(first.kind === "merged" && first.sha).toBe(mainAfterFirst);
    expect(await repo.git(["log", "-1", "--format=%s", "main"])).toBe("Merge agent/alpha/t1");

    const second = await land("agent/beta/t2", b.head);
    expect(second).toMatchObject({
      kind: "tests_failed",
      integrationSha: mainAfterFirst,
      test: { status: "failed", exitCode: 1 },
    });
    expect(second.kind === "tests_failed" ? second.test.outputTail : "").toContain("budget exceeded: 12 > 10");
    // Nothing moved: integration, its checkout, the branch; and no temporary worktree is left.
    expect(await repo.git(["rev-parse", "main"])).toBe(mainAfterFirst);
    expect(await repo.git(["status", "--porcelain"])).toBe("");
    expect(await exists(join(repo.dir, "parts/b.json"))).toBe(false);
    expect(await repo.git(["rev-parse", "agent/beta/t2"])).toBe(b.head);
    expect(await repo.git(["worktree", "list", "--porcelain"])).not.toMatch(/detached/);
  });

  it("reports a textual conflict and never leaves a half-merge behind", async () => {
    const a = await agentCommit(repo, "alpha", "t1", { "shared.txt": "alpha\n" });
    await repo.write({ "shared.txt": "main\n" });
    await repo.git(["commit", "-qam", "main edit"]);
    const main = await repo.git(["rev-parse", "main"]);
    expect(await land("agent/alpha/t1", a.head)).toEqual({ kind: "conflict", files: ["shared.txt"] });
    expect(await repo.git(["rev-parse", "main"])).toBe(main);
    expect(await repo.git(["status", "--porcelain"])).toBe("");
    expect(await exists(join(repo.dir, ".git", "MERGE_HEAD"))).toBe(false);
    expect(await readFile(join(repo.dir, "shared.txt"), "utf8")).toBe("main\n");
  });

  it("voids the approval when the branch moves, before or while the merged tree is tested", async () => {
    const a = await agentCommit(repo, "alpha", "t1", { "feature.txt": "v1\n" });
    const main = await repo.git(["rev-parse", "main"]);
    await repo.write({ "feature.txt": "v2\n" }, { cwd: a.path });
    await repo.git(["commit", "-qam", "after approval"], { cwd: a.path });
    const moved = await repo.git(["rev-parse", "HEAD"], { cwd: a.path });
    expect(await land("agent/alpha/t1", a.head)).toEqual({ kind: "moved", approvedSha: a.head, headSha: moved });

    const gate = await makeGate(repo.root);
    const stages: MergeStage[] = [];
    const landing = land("agent/alpha/t1", moved, {
      test: { command: GATED_TEST, env: { ...env, GATE: gate.path } },
      onStage: (stage) => stages.push(stage),
    });
    await waitUntil(() => stages.includes("testing"));
    await repo.write({ "feature.txt": "v3\n" }, { cwd: a.path });
    await repo.git(["commit", "-qam", "while testing"], { cwd: a.path });
    await gate.open();
    expect(await landing).toMatchObject({ kind: "moved", approvedSha: moved });
    expect(await repo.git(["rev-parse", "main"])).toBe(main);
  });

  it("blocks a branch that writes into the brain folder, with the reason", async () => {
    const a = await agentCommit(repo, "alpha", "t1", { "project-brain/LEARN-001-mine.md": "# mine\n" });
    const outcome = await land("agent/alpha/t1", a.head);
    expect(outcome.kind).toBe("refused");
    expect(outcome.kind === "refused" ? outcome.reason : "").toMatch(/brain policy.*project-brain\/LEARN-001-mine\.md/);
    expect(await repo.git(["rev-list", "--count", "main"])).toBe("1");
  });

  it("refuses a dirty integration checkout before testing, and changes nothing", async () => {
    const a = await agentCommit(repo, "alpha", "t1", { "feature.txt": "x\n" });
    await writeFile(join(repo.dir, "README.md"), "# a human was here\n");
    const outcome = await land("agent/alpha/t1", a.head);
    expect(outcome.kind === "refused" ? outcome.reason : "").toMatch(
      /main is checked out in .* with uncommitted changes[\s\S]*README\.md/,
    );
    expect(await repo.git(["rev-list", "--count", "main"])).toBe("1");
    expect(await readFile(join(repo.dir, "README.md"), "utf8")).toBe("# a human was here\n");
  });

  it("answers a resent request whose head already landed with the merge that brought it in, even after the branch is gone", async () => {
    const a = await agentCommit(repo, "alpha", "t1", { "feature.txt": "x\n" });
    const first = await land("agent/alpha/t1", a.head);
    await repo.write({ "after.txt": "later\n" });
    await repo.git(["add", "after.txt"]);
    await repo.git(["commit", "-qm", "later work on main"]);
    await repo.git(["worktree", "remove", "--force", a.path]);
    await repo.git(["branch", "-D", "agent/alpha/t1"]);
    const main = await repo.git(["rev-parse", "main"]);
    expect(await land("agent/alpha/t1", a.head)).toMatchObject({
      kind: "merged",
      sha: first.kind === "merged" ? first.sha : "",
      alreadyMerged: true,
    });
    expect(await repo.git(["rev-parse", "main"])).toBe(main);
  });

  it("never reports a branch without commits of its own as merged, even with edits left uncommitted in its worktree", async () => {
    const { path } = await createAgentWorktree({ repo: repo.dir, agent: "alpha", taskId: "t1" });
    await repo.write({ "feature.txt": "edited but never committed\n" }, { cwd: path });
    const main = await repo.git(["rev-parse", "main"]);
    const outcome = await land("agent/alpha/t1", await repo.git(["rev-parse", "agent/alpha/t1"]));
    expect(outcome).toEqual({
      kind: "refused",
      reason: "agent/alpha/t1 has no commits that are not already on main: there is nothing to merge (nothing was changed).",
    });
    expect(await repo.git(["rev-parse", "main"])).toBe(main);
  });

  it("says whether the merged tree was untested or the repository declares no tests", async () => {
    const a = await agentCommit(repo, "alpha", "t1", { "a.txt": "a\n" });
    const b = await agentCommit(repo, "beta", "t2", { "b.txt": "b\n" });
    expect(await land("agent/alpha/t1", a.head, { test: undefined })).toMatchObject({
      kind: "merged",
      mergedTreeTest: { status: "untested", command: null },
    });
    expect(await land("agent/beta/t2", b.head, { test: undefined, noTest: "none" })).toMatchObject({
      kind: "merged",
      mergedTreeTest: { status: "none", command: null },
    });
  });

  it("rebuilds and retests on the new head when the integration branch moves during the test", async () => {
    const a = await agentCommit(repo, "alpha", "t1", { "feature.txt": "x\n" });
    const gate = await makeGate(repo.root);
    const stages: MergeStage[] = [];
    const landing = land("agent/alpha/t1", a.head, {
      test: { command: GATED_TEST, env: { ...env, GATE: gate.path } },
      onStage: (s) => stages.push(s),
    });
    await waitUntil(() => stages.includes("testing"));
    await repo.write({ "human.txt": "h\n" });
    await repo.git(["add", "human.txt"]);
    await repo.git(["commit", "-qm", "a human commit meanwhile"]);
    const human = await repo.git(["rev-parse", "main"]);
    await gate.open();
    const outcome = await landing;
    expect(outcome.kind).toBe("merged");
    expect(stages.filter((s) => s === "testing")).toHaveLength(2);
    expect(await repo.git(["rev-list", "--parents", "-n", "1", "main"])).toBe(
      `${outcome.kind === "merged" ? outcome.sha : ""} ${human} ${a.head}`,
    );
    expect(await repo.git(["status", "--porcelain"])).toBe("");
  });
});

async function waitUntil(check: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 20));
  }
}
