import { mkdtemp, rename, rm, writeFile } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { MergedTreeTest } from "../schemas/merge.ts";
import type { OutputStream } from "./agent-process-contract.ts";
import { runShellCommand } from "./agent-process.ts";
import { openRepo } from "./open-repo.ts";
import { withRepoLock } from "./repo-lock.ts";
import { runGit } from "./run-git.ts";
import { setUpWorktree } from "./set-up-worktree.ts";
import { MERGE_TEST_DIR_PREFIX, MERGE_TEST_OWNER_FILE } from "./stale-merge-trees.ts";

export type MergedTreeTestInput = {
  repo: string;
  /** The candidate merge commit (not yet on any branch). */
  sha: string;
  test: string;
  setup?: string;
  /** The complete environment of the commands. */
  env: Readonly<Record<string, string | undefined>>;
  timeoutMs?: number;
  signal?: AbortSignal;
  onLine?: (stream: OutputStream, text: string) => void;
};

const TAIL_LINES = 200;
const TAIL_CHARS = 20_000;

/**
 * Runs the repository's test command on a commit in a temporary detached worktree, so that no checkout
 * is disturbed, then removes that worktree again (also when the test fails or is cancelled). The tree is
 * prepared like an agent's worktree: submodules and the main checkout's `.worktreeinclude` files, then
 * the setup command, then the test.
 */
export async function testMergedTree(input: MergedTreeTestInput): Promise<MergedTreeTest> {
  const ctx = await openRepo(input.repo);
  const dir = await mkdtemp(join(tmpdir(), MERGE_TEST_DIR_PREFIX));
  const path = join(dir, "tree");
  const tail: string[] = [];
  const onLine = (stream: OutputStream, text: string) => {
    tail.push(text);
    if (tail.length > TAIL_LINES) tail.shift();
    input.onLine?.(stream, text);
  };
  const started = Date.now();
  try {
    // Who owns this temporary tree: if this process dies mid-test, removeStaleMergeTrees (stale-merge-trees.ts) can tell.
    await writeFile(join(dir, MERGE_TEST_OWNER_FILE), JSON.stringify({ pid: process.pid, host: hostname() }));
    await withRepoLock(ctx.repo, () =>
      runGit(["worktree", "add", "--detach", "--quiet", "--", path, input.sha], { cwd: ctx.repo }),
    );
    const prepared = await setUpWorktree(ctx, path).then(
      () => null,
      (error: unknown) => (error instanceof Error ? error.message : String(error)),
    );
    if (prepared !== null) {
      tail.push(prepared);
      return report("failed", "set up the merged tree (submodules, .worktreeinclude files)", null, started, tail);
    }
    // The commands' output files live in this temporary folder too, so they go with it.
    const captureDir = join(dir, "capture");
    const options = { cwd: path, env: input.env, onLine, captureDir, timeoutMs: input.timeoutMs, abortSignal: input.signal };
    if (input.setup !== undefined) {
      const setup = await runShellCommand(input.setup, options);
      if (setup.timedOut) tail.push(`(setup stopped after ${input.timeoutMs ?? 0} ms)`);
      if (setup.exitCode !== 0) return report("failed", `setup: ${input.setup}`, setup.exitCode, started, tail);
    }
    const exit = await runShellCommand(input.test, options);
    if (exit.timedOut) tail.push(`(stopped after ${input.timeoutMs ?? 0} ms)`);
    return report(exit.exitCode === 0 ? "passed" : "failed", input.test, exit.exitCode, started, tail);
  } finally {
    await removeMergeTree(ctx.repo, dir, path);
  }
}

async function removeMergeTree(repo: string, dir: string, path: string): Promise<void> {
  await withRepoLock(repo, async () => {
    await moveMergeTreeAside(repo, path);
    await runGit(["worktree", "prune"], { cwd: repo });
  });
  await rm(dir, { recursive: true, force: true });
}

/**
 * Under the repository lock, only what makes git forget the tree: it is renamed aside inside its own
 * temporary folder (the same file system), for the caller to prune. Its files, dependencies copied by
 * .worktreeinclude among them, are deleted with that folder after the lock is released.
 */
export async function moveMergeTreeAside(repo: string, path: string): Promise<void> {
  const isMoved = await rename(path, join(dirname(path), "deleting")).then(
    () => true,
    () => false,
  );
  if (!isMoved) await runGit(["worktree", "remove", "--force", "--force", "--", path], { cwd: repo, okExitCodes: [0, 128] });
}

function report(
  status: "passed" | "failed",
  command: string,
  exitCode: number | null,
  started: number,
  tail: string[],
): MergedTreeTest {
  return { status, command, exitCode, durationMs: Date.now() - started, outputTail: tail.join("\n").slice(-TAIL_CHARS) };
}
