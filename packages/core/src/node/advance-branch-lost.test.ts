import { spawnSync } from "node:child_process";
import { chmod, constants, open, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { childrenOf, exists, waitUntil } from "../test-support/spawner-faults.ts";
import { makeTempRepo, type TempRepo } from "../test-support/temp-repo.ts";
import { advanceBranch } from "./advance-branch.ts";
import { processSpawnerReady, useProcessSpawner } from "./process-spawner.ts";

// This file's setup (process-spawner-setup.ts) has put the spawner in use, as the runner does when it lands a merge.
describe("advanceBranch with main checked out, when the process spawner dies under the branch's update", () => {
  let repo: TempRepo;
  let fifo: string;
  let held: string;
  beforeEach(async () => {
    useProcessSpawner();
    await processSpawnerReady();
    repo = await makeTempRepo({ files: { "a.txt": "a\n" } });
    fifo = join(repo.root, "hold");
    held = join(repo.root, "held");
  });
  afterEach(async () => {
    // An orphaned hook may still wait on the FIFO: a writer that closes at once ends it.
    await open(fifo, constants.O_WRONLY | constants.O_NONBLOCK).then(
      (handle) => handle.close(),
      () => undefined,
    );
    await repo.cleanup();
  });

  /** A commit after main's, as a merge would make, with main and its checkout left where they were. */
  async function nextCommit(): Promise<{ old: string; sha: string }> {
    const old = await repo.git(["rev-parse", "main"]);
    await repo.git(["checkout", "-q", "-b", "side"]);
    await repo.write({ "b.txt": "b\n" });
    await repo.git(["add", "-A"]);
    await repo.git(["commit", "-qm", "b"]);
    const sha = await repo.git(["rev-parse", "HEAD"]);
    await repo.git(["checkout", "-q", "main"]);
    return { old, sha };
  }

  /** git holds the first update of main once it is prepared (main.lock taken), until the test lets it go. */
  async function holdFirstUpdateOfMain(): Promise<void> {
    expect(spawnSync("mkfifo", [fifo]).status).toBe(0);
    const hook = join(repo.dir, ".git", "hooks", "reference-transaction");
    const holdOnce = `[ "$1" = prepared ] && [ ! -e '${held}' ] && { : > '${held}'; cat '${fifo}' > /dev/null; }`;
    await writeFile(hook, `#!/bin/sh\ncase "$(cat)" in *refs/heads/main*) ;; *) exit 0 ;; esac\n${holdOnce}\nexit 0\n`);
    await chmod(hook, 0o755);
  }

  /** advanceBranch of main to a next commit, started and held in its ref update; what it returns or throws. */
  async function advanceHeld() {
    const { old, sha } = await nextCommit();
    await holdFirstUpdateOfMain();
    const advancing = advanceBranch({ repo: repo.dir, into: "main", old, sha, reflog: "grove: test" }).then(
      (refusal) => ({ refusal }),
      (error: unknown) => ({ error }),
    );
    await waitUntil(() => exists(held));
    return { old, sha, advancing };
  }

  it("its git lands the update after all: the merge is reported landed, the checkout at it and clean", async () => {
    const { sha, advancing } = await advanceHeld();
    process.kill((await processSpawnerReady()) as number, "SIGKILL");
    // The orphaned git goes on, and commits the update.
    await (await open(fifo, "w")).close();

    expect(await advancing).toEqual({ refusal: null });
    expect(await repo.git(["rev-parse", "main"])).toBe(sha);
    expect(await repo.git(["status", "--porcelain"])).toBe("");
  });

  it("its git is killed too: the branch stays, and so do the checkout's files (nothing staged)", async () => {
    const { old, advancing } = await advanceHeld();
    const spawner = (await processSpawnerReady()) as number;
    // As an out-of-memory kill of both would: git dies holding main.lock, and never updates main.
    for (const git of childrenOf(spawner)) process.kill(git, "SIGKILL");
    process.kill(spawner, "SIGKILL");

    // Refused once git's retries on the lock ran out, naming the lock git left.
    const outcome = await advancing;
    expect("refusal" in outcome && outcome.refusal).toMatch(/main could not be moved: .*main\.lock.*nothing was changed/);
    expect(await repo.git(["rev-parse", "main"])).toBe(old);
    expect(await repo.git(["status", "--porcelain"])).toBe("");
    expect(await exists(join(repo.dir, "b.txt"))).toBe(false);
  });
});
