import { mkdtemp, rename, rm, writeFile } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { MergedTreeTest } from "../schemas/merge.ts";
import type { OutputStream } from "./agent-process-contract.ts";
import { runShellCommand } from "./agent-process.ts";
import { DomainError } from "../errors/domain-error.ts";
import { openRepo, type RepoContext } from "./open-repo.ts";
import { isSha } from "./refs.ts";
import { withRepoLock } from "./repo-lock.ts";
import { runGit } from "./run-git.ts";
import { setUpWorktree } from "./set-up-worktree.ts";
import { MERGE_TEST_DIR_PREFIX, MERGE_TEST_OWNER_FILE } from "./stale-merge-trees.ts";
import { claimWarmTree, type WarmSlot } from "./warm-tree-pool.ts";
import { moveWarmTree, recordWarmSetup, verifyHead } from "./warm-tree-reset.ts";

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
  /**
   * Test in one of the repository's kept warm trees of this integration branch (warm-tree-pool.ts), at most
   * `max` of them (default 2); when all are busy, in a temporary tree as without it.
   */
  warm?: { integration: string; max?: number };
};

const TAIL_LINES = 200;
const TAIL_CHARS = 20_000;
const DEFAULT_WARM_TREES = 2;

/**
 * Runs the repository's test command on a commit in a detached worktree, so that no checkout is disturbed:
 * a kept warm tree moved to the commit (with `warm`), else a temporary one removed again afterwards (also
 * when the test fails or is cancelled). The tree is prepared like an agent's worktree: submodules and the
 * main checkout's `.worktreeinclude` files, then the setup command (in a warm tree only when its inputs
 * changed), then the test.
 */
export async function testMergedTree(input: MergedTreeTestInput): Promise<MergedTreeTest> {
  if (input.warm && !isSha(input.sha))
    throw new DomainError("INVALID_INPUT", `"${input.sha.slice(0, 100)}" is not a full commit SHA.`);
  const ctx = await openRepo(input.repo);
  const slot = input.warm
    ? await claimWarmTree(ctx, input.warm.integration, input.warm.max ?? DEFAULT_WARM_TREES).catch(() => null)
    : null;
  if (slot === null) return testInTemporaryTree(ctx, input);
  try {
    return await testInWarmTree(ctx, slot, input);
  } finally {
    await slot.release();
  }
}

async function testInWarmTree(ctx: RepoContext, slot: WarmSlot, input: MergedTreeTestInput): Promise<MergedTreeTest> {
  const run = startReport(input);
  const ready = await moveWarmTree(ctx, slot, input.sha, input.setup).then(
    (value) => value,
    (error: unknown) => (error instanceof Error ? error.message : String(error)),
  );
  if (typeof ready === "string") {
    run.tail.push(ready);
    return run.report("failed", "move the warm merge tree to the candidate", null, "prepare");
  }
  if (ready.replaced !== null) run.tail.push(`(a new warm tree: ${ready.replaced})`);
  const captureDir = join(slot.dir, "capture");
  await rm(captureDir, { recursive: true, force: true });
  const setup = ready.isSetUp ? undefined : input.setup;
  if (ready.isSetUp && input.setup !== undefined)
    run.tail.push(`(setup skipped: its inputs are unchanged since it last ran in ${slot.path})`);
  return runSetupAndTest(run, { ...input, setup }, slot.path, captureDir, async () => {
    if (!ready.isSetUp) await recordWarmSetup(slot, ready.setupKey);
    await verifyHead(slot.path, input.sha);
  });
}

async function testInTemporaryTree(ctx: RepoContext, input: MergedTreeTestInput): Promise<MergedTreeTest> {
  const dir = await mkdtemp(join(tmpdir(), MERGE_TEST_DIR_PREFIX));
  const path = join(dir, "tree");
  const run = startReport(input);
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
      run.tail.push(prepared);
      return run.report("failed", "set up the merged tree (submodules, .worktreeinclude files)", null, "prepare");
    }
    // The commands' output files live in this temporary folder too, so they go with it.
    return await runSetupAndTest(run, input, path, join(dir, "capture"), () => Promise.resolve());
  } finally {
    await removeMergeTree(ctx.repo, dir, path);
  }
}

type MergedTreeStep = NonNullable<MergedTreeTest["step"]>;

type RunReport = {
  tail: string[];
  onLine: (stream: OutputStream, text: string) => void;
  report: (status: "passed" | "failed", command: string, exitCode: number | null, step: MergedTreeStep) => MergedTreeTest;
};

function startReport(input: MergedTreeTestInput): RunReport {
  const started = Date.now();
  const tail: string[] = [];
  const onLine = (stream: OutputStream, text: string) => {
    tail.push(text);
    if (tail.length > TAIL_LINES) tail.shift();
    input.onLine?.(stream, text);
  };
  const report = (status: "passed" | "failed", command: string, exitCode: number | null, step: MergedTreeStep) => ({
    status,
    command,
    exitCode,
    durationMs: Date.now() - started,
    outputTail: tail.join("\n").slice(-TAIL_CHARS),
    step,
  });
  return { tail, onLine, report };
}

/** The setup command (when given), `beforeTest` once it succeeded, then the test command, in `path`. */
async function runSetupAndTest(
  run: RunReport,
  input: MergedTreeTestInput,
  path: string,
  captureDir: string,
  beforeTest: () => Promise<void>,
): Promise<MergedTreeTest> {
  const options = {
    cwd: path,
    env: input.env,
    onLine: run.onLine,
    captureDir,
    timeoutMs: input.timeoutMs,
    abortSignal: input.signal,
  };
  if (input.setup !== undefined) {
    const setup = await runShellCommand(input.setup, options);
    if (setup.timedOut) run.tail.push(`(setup stopped after ${input.timeoutMs ?? 0} ms)`);
    if (setup.exitCode !== 0) return run.report("failed", `setup: ${input.setup}`, setup.exitCode, "setup");
  }
  const refusal = await beforeTest().then(
    () => null,
    (error: unknown) => (error instanceof Error ? error.message : String(error)),
  );
  if (refusal !== null) {
    run.tail.push(refusal);
    return run.report("failed", "check the merged tree before the test", null, "prepare");
  }
  const exit = await runShellCommand(input.test, options);
  if (exit.timedOut) run.tail.push(`(stopped after ${input.timeoutMs ?? 0} ms)`);
  return run.report(exit.exitCode === 0 ? "passed" : "failed", input.test, exit.exitCode, "test");
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
