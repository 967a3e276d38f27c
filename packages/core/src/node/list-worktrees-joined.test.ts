import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { makeTempRepo, type TempRepo } from "../test-support/temp-repo.ts";
import { listWorktreesJoined } from "./list-worktrees-joined.ts";
import { locateRepo } from "./open-repo.ts";

describe("listWorktreesJoined", () => {
  let repo: TempRepo;
  beforeEach(async () => {
    repo = await makeTempRepo();
  });
  afterEach(async () => {
    await repo.cleanup();
  });

  it("shares one listing between callers at once, from any worktree, and never hands out one that has ended", async () => {
    const linked = join(repo.root, "linked");
    await repo.git(["worktree", "add", "-q", "-b", "linked", "--", linked, "main"]);
    const [main, other] = [await locateRepo(repo.dir), await locateRepo(linked)];
    const [fromMain, fromLinked] = await Promise.all([listWorktreesJoined(main), listWorktreesJoined(other)]);
    expect(fromLinked).toBe(fromMain);
    expect(fromMain.map((w) => w.branch)).toEqual(["main", "linked"]);

    await repo.git(["worktree", "add", "-q", "-b", "later", "--", join(repo.root, "later"), "main"]);
    const after = await listWorktreesJoined(await locateRepo(repo.dir));
    expect(after.map((w) => w.branch).sort()).toEqual(["later", "linked", "main"]);
  });
});
