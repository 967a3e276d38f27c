import { mkdtemp, readFile, rename, rm, writeFile } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { z } from "zod";
import type { MergedTreeTest } from "../schemas/merge.ts";
import type { OutputStream } from "./agent-process-contract.ts";
import { runShellCommand } from "./agent-process.ts";
import { listWorktrees } from "./list-worktrees.ts";
import { isPidAlive } from "./lock-file.ts";
import { openRepo } from "./open-repo.ts";
import { withRepoLock } from "./repo-lock.ts";
import { runGit } from "./run-git.ts";
import { setUpWorktree } from "./set-up-worktree.ts";

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
export const MERGE_TEST_DIR_PREFIX = "grove-merge-test-";
const OWNER_FILE = "owner.json";
const OwnerSchema = z.object({ pid: z.number().int(), host: z.string() });

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
    // Who owns this temporary tree: if this process dies mid-test, removeStaleMergeTrees can tell.
    await writeFile(join(dir, OWNER_FILE), JSON.stringify({ pid: process.pid, host: hostname() }));
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
async function moveMergeTreeAside(repo: string, path: string): Promise<void> {
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

/**
 * Removes temporary merged-tree worktrees whose grove process died mid-test (kill -9, power loss), with
 * their folders. Trees of live processes, or of other hosts, are left alone. Returns the removed paths.
 */
export async function removeStaleMergeTrees(repo: string): Promise<string[]> {
  const removed: string[] = [];
  await withRepoLock(repo, async () => {
    for (const worktree of await listWorktrees(repo)) {
      const dir = dirname(worktree.path);
      if (!basename(dir).startsWith(MERGE_TEST_DIR_PREFIX) || basename(worktree.path) !== "tree") continue;
      const owner = await readFile(join(dir, OWNER_FILE), "utf8")
        .then((text) => OwnerSchema.safeParse(JSON.parse(text)).data ?? null)
        .catch(() => null);
      if (owner && (owner.host !== hostname() || isPidAlive(owner.pid))) continue;
      await moveMergeTreeAside(repo, worktree.path);
      removed.push(worktree.path);
    }
    await runGit(["worktree", "prune"], { cwd: repo });
  });
  for (const path of removed) await rm(dirname(path), { recursive: true, force: true });
  return removed;
}
