import { access, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { makeTempRepo, type TempRepo } from "../test-support/temp-repo.ts";
import { createAgentWorktree } from "./create-agent-worktree.ts";
import { mergeNoFf } from "./merge-no-ff.ts";

describe("mergeNoFf", () => {
  let repo: TempRepo;
  let path: string;
  beforeEach(async () => {
    repo = await makeTempRepo({ files: { "README.md": "# test\n", "shared.txt": "line 1\nline 2\n" } });
    path = (await createAgentWorktree({ repo: repo.dir, agent: "demo", taskId: "t1" })).path;
  });
  afterEach(async () => {
    await repo.cleanup();
  });

  const commit = async (cwd: string, files: Record<string, string>, message: string) => {
    await repo.write(files, { cwd });
    await repo.git(["add", "-A"], { cwd });
    await repo.git(["commit", "-q", "-m", message], { cwd });
    return repo.git(["rev-parse", "HEAD"], { cwd });
  };
  const merge = (expectedHead: string) =>
    mergeNoFf({ repo: repo.dir, into: "main", branch: "agent/demo/t1", expectedHead, message: "Merge agent/demo/t1" });

  it("creates a two-parent commit on main and brings the main checkout to it", async () => {
    const agentHead = await commit(path, { "feature.txt": "feature\n" }, "agent work");
    const mainBefore = await commit(repo.dir, { "other.txt": "other\n" }, "main work");

    const outcome = await merge(agentHead);
    expect(outcome).toMatchObject({ kind: "merged", worktreeRemoved: false, branchDeleted: false });
    const sha = outcome.kind === "merged" ? outcome.sha : "";
    expect(await repo.git(["rev-parse", "main"])).toBe(sha);
    expect(await repo.git(["rev-list", "--parents", "-n", "1", sha])).toBe(`${sha} ${mainBefore} ${agentHead}`);
    expect(await repo.git(["log", "-1", "--format=%s", sha])).toBe("Merge agent/demo/t1");
    expect(await readFile(join(repo.dir, "feature.txt"), "utf8")).toBe("feature\n");
    expect(await repo.git(["status", "--porcelain"])).toBe("");
  });

  it("merges into a branch that is not checked out with a compare-and-swap alone", async () => {
    await repo.git(["branch", "release"]);
    const agentHead = await commit(path, { "feature.txt": "feature\n" }, "agent work");
    const outcome = await mergeNoFf({
      repo: repo.dir,
      into: "release",
      branch: "agent/demo/t1",
      expectedHead: agentHead,
      message: "m",
    });
    expect(outcome.kind).toBe("merged");
    expect(await repo.git(["rev-list", "--count", "--merges", "release"])).toBe("1");
    await expect(access(join(repo.dir, "feature.txt"))).rejects.toThrow();
  });

  it("predicts a conflict and leaves main, its checkout and the index untouched", async () => {
    const agentHead = await commit(path, { "shared.txt": "agent line\nline 2\n" }, "agent edit");
    const mainBefore = await commit(repo.dir, { "shared.txt": "main line\nline 2\n" }, "main edit");

    expect(await merge(agentHead)).toEqual({ kind: "conflict", files: ["shared.txt"] });
    expect(await repo.git(["rev-parse", "main"])).toBe(mainBefore);
    expect(await repo.git(["status", "--porcelain"])).toBe("");
    await expect(access(join(repo.dir, ".git", "MERGE_HEAD"))).rejects.toThrow();
    expect(await readFile(join(repo.dir, "shared.txt"), "utf8")).toBe("main line\nline 2\n");
    expect(await repo.git(["rev-parse", "agent/demo/t1"])).toBe(agentHead);
  });

  it("refuses when the branch moved since the approved head", async () => {
    const approved = await commit(path, { "feature.txt": "v1\n" }, "agent v1");
    await commit(path, { "feature.txt": "v2\n" }, "agent v2");
    const mainBefore = await repo.git(["rev-parse", "main"]);
    const outcome = await merge(approved);
    expect(outcome.kind).toBe("refused");
    expect(outcome.kind === "refused" ? outcome.reason : "").toContain(approved);
    expect(await repo.git(["rev-parse", "main"])).toBe(mainBefore);
  });

  it("refuses when the main checkout has uncommitted changes, changing nothing", async () => {
    const agentHead = await commit(path, { "feature.txt": "feature\n" }, "agent work");
    await writeFile(join(repo.dir, "README.md"), "# edited by a human\n");
    const mainBefore = await repo.git(["rev-parse", "main"]);
    const outcome = await merge(agentHead);
    expect(outcome.kind).toBe("refused");
    expect(outcome.kind === "refused" ? outcome.reason : "").toContain("README.md");
    expect(await repo.git(["rev-parse", "main"])).toBe(mainBefore);
    expect(await readFile(join(repo.dir, "README.md"), "utf8")).toBe("# edited by a human\n");
    await expect(access(join(repo.dir, "feature.txt"))).rejects.toThrow();
  });

  it("refuses when an untracked file in the main checkout would be overwritten, changing nothing", async () => {
    const agentHead = await commit(path, { "feature.txt": "feature\n" }, "agent work");
    await writeFile(join(repo.dir, "feature.txt"), "a human's scratch file\n");
    const mainBefore = await repo.git(["rev-parse", "main"]);
    expect((await merge(agentHead)).kind).toBe("refused");
    expect(await repo.git(["rev-parse", "main"])).toBe(mainBefore);
    expect(await readFile(join(repo.dir, "feature.txt"), "utf8")).toBe("a human's scratch file\n");
    expect(await repo.git(["status", "--porcelain"])).toBe("?? feature.txt");
  });

  it("answers a retried request with the merge commit that brought the head in", async () => {
    const agentHead = await commit(path, { "feature.txt": "feature\n" }, "agent work");
    const first = await merge(agentHead);
    expect(await merge(agentHead)).toEqual({ ...first, alreadyMerged: true });
    expect(await repo.git(["rev-list", "--count", "--merges", "main"])).toBe("1");
  });

  it("never calls a branch without commits of its own merged", async () => {
    const main = await repo.git(["rev-parse", "main"]);
    const outcome = await merge(await repo.git(["rev-parse", "agent/demo/t1"]));
    expect(outcome.kind === "refused" ? outcome.reason : outcome.kind).toContain("there is nothing to merge");
    expect(await repo.git(["rev-parse", "main"])).toBe(main);
  });
});
