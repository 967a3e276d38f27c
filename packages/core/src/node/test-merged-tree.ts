import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { z } from "zod";
import type { MergedTreeTest } from "../schemas/merge.ts";
import { runShellCommand, type OutputStream } from "./agent-process.ts";
import { listWorktrees } from "./list-worktrees.ts";
import { isPidAlive } from "./lock-file.ts";
import { withRepoLock } from "./repo-lock.ts";
import { runGit } from "./run-git.ts";

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
 * is disturbed, then removes that worktree again (also when the test fails or is cancelled).
 */
export async function testMergedTree(input: MergedTreeTestInput): Promise<MergedTreeTest> {
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
    await withRepoLock(input.repo, () => runGit(["worktree", "add", "--detach", "--quiet", "--", path, input.sha], { cwd: input.repo }));
    // The commands' output files live in this temporary folder too, so they go with it.
    const captureDir = join(dir, "capture");
    const options = { cwd: path, env: input.env, onLine, captureDir, timeoutMs: input.timeoutMs, abortSignal: input.signal };
    if (input.setup !== undefined) {
      const setup = await runShellCommand(input.setup, options);
      if (setup.exitCode !== 0) return report("failed", `setup: ${input.setup}`, setup.exitCode, started, tail);
    }
    const exit = await runShellCommand(input.test, options);
    if (exit.timedOut) tail.push(`(stopped after ${input.timeoutMs ?? 0} ms)`);
    return report(exit.exitCode === 0 ? "passed" : "failed", input.test, exit.exitCode, started, tail);
  } finally {
    await withRepoLock(input.repo, async () => {
      await runGit(["worktree", "remove", "--force", "--force", "--", path], { cwd: input.repo, okExitCodes: [0, 128] });
      await runGit(["worktree", "prune"], { cwd: input.repo });
    });
    await rm(dir, { recursive: true, force: true });
  }
}

function report(status: "passed" | "failed", command: string, exitCode: number | null, started: number, tail: string[]): MergedTreeTest {
  return { status, command, exitCode, durationMs: Date.now() - started, outputTail: tail.join("\n").slice(-TAIL_CHARS) };
}

/**
 * Removes temporary merged-tree worktrees whose grove process died mid-test (kill -9, power loss), with
 * their folders. Trees of live processes, or of other hosts, are left alone. Returns the removed paths.
 */
export async function removeStaleMergeTrees(repo: string): Promise<string[]> {
  return withRepoLock(repo, async () => {
    const removed: string[] = [];
    for (const worktree of await listWorktrees(repo)) {
      const dir = dirname(worktree.path);
      if (!basename(dir).startsWith(MERGE_TEST_DIR_PREFIX) || basename(worktree.path) !== "tree") continue;
      const owner = await readFile(join(dir, OWNER_FILE), "utf8").then((text) => OwnerSchema.safeParse(JSON.parse(text)).data ?? null).catch(() => null);
      if (owner && (owner.host !== hostname() || isPidAlive(owner.pid))) continue;
      await runGit(["worktree", "remove", "--force", "--force", "--", worktree.path], { cwd: repo, okExitCodes: [0, 128] });
      await rm(dir, { recursive: true, force: true });
      removed.push(worktree.path);
    }
    await runGit(["worktree", "prune"], { cwd: repo });
    return removed;
  });
}
