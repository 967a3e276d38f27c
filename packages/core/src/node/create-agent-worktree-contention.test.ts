import { AsyncLocalStorage } from "node:async_hooks";
import { mkdir, readdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { commitBrokenCheckout } from "../test-support/broken-checkout.ts";
import { makeTempRepo, type TempRepo } from "../test-support/temp-repo.ts";
import { createAgentWorktree } from "./create-agent-worktree.ts";
import { withRepoLock, withSharedRepoLock } from "./repo-lock.ts";
import { SHARED_DIR } from "./repo-lock-shared.ts";

// Adds beside each other (withSharedRepoLock): git's `worktree add -b` makes the branch, then lists the worktrees,
// and dies ("failed to read …/commondir") on another add's admin folder whose files git has not written yet.
describe("createAgentWorktree beside another add's half-written worktree", () => {
  let repo: TempRepo;
  beforeEach(async () => {
    repo = await makeTempRepo();
  });
  afterEach(async () => {
    await repo.cleanup();
  });

  it("still knows the branch as its own: a failed set-up deletes it", async () => {
    // The set-up fails for real, so that the undo shows whose branch it was.
    await commitBrokenCheckout(repo);
    // Another add's admin folder as git leaves it between writing `gitdir` and `commondir`: made once this add waits
    // for its path (after its listing), gone once this add let go of the lock shared.
    const busy = join(repo.dir, ".git", "worktrees", "busy");
    const shared = join(repo.dir, ".git", SHARED_DIR);
    const holders = async () => (await readdir(shared).catch(() => [] as string[])).filter((n) => n.startsWith("holder-"));
    let adding: Promise<unknown> = Promise.resolve();
    // Started from outside this test's own hold: an add inside it would count as part of it.
    const outside = AsyncLocalStorage.snapshot();
    await withSharedRepoLock(repo.dir, join(repo.root, "repo-wt-demo-t1"), async () => {
      adding = outside(() =>
        createAgentWorktree({ repo: repo.dir, agent: "demo", taskId: "t1", onProgress: () => undefined }).catch(
          (error: unknown) => error,
        ),
      );
      while ((await holders()).length < 2) await sleep(1);
      await mkdir(busy, { recursive: true });
      await writeFile(join(busy, "gitdir"), `${join(repo.root, "busy", ".git")}\n`);
      await writeFile(join(busy, "commondir"), "");
    });
    await withRepoLock(repo.dir, () => rm(busy, { recursive: true }));

    const error = await adding;
    expect(error).toMatchObject({ code: "GIT_FAILED" });
    expect(error instanceof Error ? error.message : error).toContain("removed it again, and its new branch agent/demo/t1");
    expect(await repo.git(["for-each-ref", "refs/heads/agent"])).toBe("");
  });
});
