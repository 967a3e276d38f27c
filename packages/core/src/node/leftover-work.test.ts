import { access, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { makeTempRepo, type TempRepo } from "../test-support/temp-repo.ts";
import { restoreArchive } from "./archive.ts";
import { createAgentWorktree } from "./create-agent-worktree.ts";
import { cleanUpLeftoverWork, listLeftoverWork } from "./leftover-work.ts";
import { listWorktrees } from "./list-worktrees.ts";

const ended = ["agent/demo/t1", "agent/demo/t2", "agent/demo/t3"];

describe("leftover work of ended runs", () => {
  let repo: TempRepo;
  let path: string;
  beforeEach(async () => {
    repo = await makeTempRepo({ files: { "README.md": "# test\n", "src/app.ts": "export const a = 1;\n" } });
    path = (await createAgentWorktree({ repo: repo.dir, agent: "demo", taskId: "t1" })).path;
  });
  afterEach(async () => {
    await repo.cleanup();
  });

  const commitIn = async (cwd: string, file: string, content: string) => {
    await repo.write({ [file]: content }, { cwd });
    await repo.git(["add", "-A"], { cwd });
    await repo.git(["commit", "-q", "-m", `agent: ${file}`], { cwd });
  };

  it("lists a failed run's worktree with its last commit and uncommitted work", async () => {
    await commitIn(path, "feature.txt", "f\n");
    await writeFile(join(path, "src", "app.ts"), "export const a = 2;\n");
    const head = await repo.git(["rev-parse", "agent/demo/t1"]);
    const [leftover, ...rest] = await listLeftoverWork({ repo: repo.dir, ended });
    expect(rest).toEqual([]);
    expect(leftover).toMatchObject({
      branch: "agent/demo/t1",
      agent: "demo",
      taskId: "t1",
      path,
      lastCommit: { sha: head, subject: "agent: feature.txt" },
      uncommittedFiles: 1,
      unmergedCommits: 1,
    });
    expect(leftover?.lastActivityAt).toBeGreaterThanOrEqual(leftover?.lastCommit.at ?? Infinity);
  });

  it("never lists a live run's locked worktree, a kept branch, or a branch that landed", async () => {
    await repo.git(["worktree", "lock", "--reason", "agent session in progress", "--", path]);
    const other = (await createAgentWorktree({ repo: repo.dir, agent: "demo", taskId: "t2" })).path;
    await commitIn(other, "two.txt", "2\n");
    const landed = (await createAgentWorktree({ repo: repo.dir, agent: "demo", taskId: "t3" })).path;
    await commitIn(landed, "three.txt", "3\n");
    await repo.git(["merge", "-q", "--no-ff", "-m", "land t3", "agent/demo/t3"]);
    expect(
      await listLeftoverWork({ repo: repo.dir, ended, keep: [{ branch: "agent/demo/t2", reason: "its merge request is open" }] }),
    ).toEqual([]);
    const answer = await cleanUpLeftoverWork({
      repo: repo.dir,
      ended,
      keep: [{ branch: "agent/demo/t2", reason: "its merge request is open" }],
      branches: ["agent/demo/t1", "agent/demo/t2", "agent/demo/t3", "agent/demo/nope"],
    });
    expect(answer.cleaned).toEqual([]);
    expect(answer.refused.map((r) => r.reason)).toEqual([
      expect.stringContaining("locked"),
      expect.stringContaining("merge request"),
      expect.stringContaining("landed"),
      "there is no agent branch of that name",
    ]);
    expect(await listWorktrees(repo.dir)).toHaveLength(4);
  });

  it("snapshots committed and uncommitted work before removing, and the snapshot restores both", async () => {
    await commitIn(path, "feature.txt", "committed\n");
    await writeFile(join(path, "src", "app.ts"), "export const a = 2;\n");
    await writeFile(join(path, "untracked.md"), "not added\n");
    const head = await repo.git(["rev-parse", "agent/demo/t1"]);

    const answer = await cleanUpLeftoverWork({ repo: repo.dir, ended, branches: ["agent/demo/t1"] });
    expect(answer.refused).toEqual([]);
    const [cleaned] = answer.cleaned;
    expect(cleaned?.snapshotRef).toMatch(/^refs\/grove\/archive\/demo\/t1\/\d+$/);
    expect(await repo.git(["rev-parse", cleaned?.snapshotRef ?? ""])).toBe(cleaned?.snapshotSha);
    expect(await repo.git(["branch", "--list", "agent/*"])).toBe("");
    await expect(access(path)).rejects.toThrow();
    expect(await listLeftoverWork({ repo: repo.dir, ended })).toEqual([]);

    const restored = await restoreArchive({ repo: repo.dir, ref: cleaned?.snapshotRef ?? "" });
    expect(await repo.git(["rev-parse", "agent/demo/t1"])).toBe(head);
    expect(await readFile(join(restored.path, "feature.txt"), "utf8")).toBe("committed\n");
    expect(await readFile(join(restored.path, "src", "app.ts"), "utf8")).toBe("export const a = 2;\n");
    expect(await readFile(join(restored.path, "untracked.md"), "utf8")).toBe("not added\n");
    const status = await repo.git(["status", "--porcelain"], { cwd: restored.path });
    expect(status.split("\n").map((line) => line.trim())).toEqual(["M src/app.ts", "?? untracked.md"]);
  });

  it("never lists a worktree no ended run made", async () => {
    expect(await listLeftoverWork({ repo: repo.dir, ended: [] })).toEqual([]);
    const { refused } = await cleanUpLeftoverWork({ repo: repo.dir, ended: [], branches: ["agent/demo/t1"] });
    expect(refused[0]?.reason).toContain("no ended run");
    expect(await listWorktrees(repo.dir)).toHaveLength(2);
  });

  it("keeps even a branch with nothing of its own under refs/grove/ before removing it", async () => {
    const base = await repo.git(["rev-parse", "agent/demo/t1"]);
    const { cleaned } = await cleanUpLeftoverWork({ repo: repo.dir, ended, branches: ["agent/demo/t1"] });
    expect(cleaned).toHaveLength(1);
    expect(await repo.git(["rev-parse", cleaned[0]?.snapshotRef ?? ""])).toBe(base);
    expect(await listWorktrees(repo.dir)).toHaveLength(1);
  });
});
