import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { agentCommit } from "../test-support/merge-fixtures.ts";
import { makeTempRepo, type TempRepo } from "../test-support/temp-repo.ts";
import { lockWorktree } from "./worktree-lock.ts";
import { scanAgentBranches, type PredictionCache } from "./scan-agent-branches.ts";

let repo: TempRepo;
beforeEach(async () => {
  repo = await makeTempRepo({ files: { "README.md": "# app\n", "shared.txt": "line\n", "src/a.ts": "a\n" } });
});
afterEach(() => repo.cleanup());

describe("scanAgentBranches (the overlap radar)", () => {
  it("reports overlaps, work in progress, predicted conflicts and brain writes, touching nothing", async () => {
    const alpha = await agentCommit(repo, "alpha", "t1", { "shared.txt": "alpha\n", "src/a.ts": "alpha\n" });
    const beta = await agentCommit(repo, "beta", "t2", { "src/b.ts": "b\n" });
    await lockWorktree(repo.dir, beta.path, "agent session in progress");
    // beta's agent is still working: uncommitted edits count for the radar.
    await repo.write({ "src/a.ts": "beta wip\n", "project-brain/notes.md": "mine\n" }, { cwd: beta.path });
    await repo.write({ "shared.txt": "main\n" });
    await repo.git(["commit", "-qam", "main moves"]);
    const statusBefore = await repo.git(["status", "--porcelain"], { cwd: beta.path });

    const cache: PredictionCache = new Map();
    const scan = await scanAgentBranches({ repo: repo.dir, integration: "main", brain: "project-brain", cache });
    expect(scan.integrationSha).toBe(await repo.git(["rev-parse", "main"]));
    const [a, b] = scan.branches;
    expect(a).toMatchObject({
      branch: "agent/alpha/t1",
      headSha: alpha.head,
      live: false,
      files: ["shared.txt", "src/a.ts"],
      workingFiles: [],
      conflicts: ["shared.txt"],
      brainFiles: [],
      overlaps: [{ file: "src/a.ts", branches: ["agent/beta/t2"] }],
    });
    expect(b).toMatchObject({
      branch: "agent/beta/t2",
      headSha: beta.head,
      live: true,
      files: ["src/b.ts"],
      conflicts: [],
      brainFiles: ["project-brain/notes.md"],
      overlaps: [{ file: "src/a.ts", branches: ["agent/alpha/t1"] }],
    });
    expect(b?.workingFiles.sort()).toEqual(["project-brain/notes.md", "src/a.ts"]);
    expect(cache.size).toBe(2);
    // An unchanged (integration, head) pair is not asked of git again: a planted answer comes back.
    const key = `${scan.integrationSha}:${alpha.head}`;
    const planted = { conflicts: ["planted.txt"], base: a?.baseSha ?? null, files: ["planted.txt"] };
    cache.set(key, planted);
    const again = await scanAgentBranches({ repo: repo.dir, integration: "main", brain: "project-brain", cache });
    expect(again.branches[0]).toMatchObject({ files: ["planted.txt"], conflicts: ["planted.txt"] });
    // Uncommitted work is looked at on every scan.
    expect(again.branches[1]?.workingFiles.sort()).toEqual(["project-brain/notes.md", "src/a.ts"]);
    expect(await repo.git(["status", "--porcelain"], { cwd: beta.path })).toBe(statusBefore);
    expect(await repo.git(["status", "--porcelain"])).toBe("");
  });
});
