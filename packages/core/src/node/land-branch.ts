import { DomainError } from "../errors/domain-error.ts";
import { checkBrainPolicy } from "../merge/brain-policy.ts";
import { validateRefName } from "../naming/agent-branch.ts";
import type { MergeOutcome } from "../schemas/events.ts";
import type { MergedTreeTest, MergeStage } from "../schemas/merge.ts";
import type { OutputStream } from "./agent-process-contract.ts";
import { advanceBranch, checkoutRefusal } from "./advance-branch.ts";
import { buildMergeCommit } from "./build-merge-commit.ts";
import { branchChangedFiles } from "./branch-files.ts";
import { branchSha, isSha } from "./refs.ts";
import { withRepoLock } from "./repo-lock.ts";
import { runGit } from "./run-git.ts";
import { testMergedTree } from "./test-merged-tree.ts";

export type LandInput = {
  repo: string;
  into: string;
  branch: string;
  /** The head SHA the approval was given for; anything else is not merged. */
  approvedSha: string;
  message: string;
  brain: string;
  test?: { command: string; setup?: string; env: Readonly<Record<string, string | undefined>>; timeoutMs?: number };
  /** Without a test command: "none" when the repository declares it has no tests, else "untested". */
  noTest?: "untested" | "none";
  onStage?: (stage: MergeStage, detail?: string) => void;
  onTestLine?: (stream: OutputStream, text: string) => void;
  signal?: AbortSignal;
};

const notRun = (status: MergedTreeTest["status"]): MergedTreeTest => ({
  status,
  command: null,
  exitCode: null,
  durationMs: 0,
  outputTail: "",
});
/** How often a merge is rebuilt and retested when someone else moved the integration branch meanwhile. */
const MAX_ATTEMPTS = 3;

/**
 * One merge-queue item: build the `--no-ff` merge commit on the CURRENT integration head, run the test
 * command on that merged tree in a temporary worktree, and only if it is green advance the integration
 * branch (compare-and-swap) and its clean checkout. Anything else leaves every ref and checkout as it was.
 * The lock is held while deciding and moving, not while the tests run.
 */
export async function landBranch(input: LandInput): Promise<MergeOutcome> {
  validateRefName(input.into);
  validateRefName(input.branch);
  if (!isSha(input.approvedSha))
    throw new DomainError("INVALID_INPUT", `approvedSha "${input.approvedSha}" is not a full commit SHA.`);
  const reflog = `grove: merge ${input.branch} into ${input.into}`;

  for (let attempt = 1; ; attempt++) {
    input.onStage?.("building", attempt > 1 ? `${input.into} moved meanwhile; rebuilding (attempt ${attempt})` : undefined);
    const prepared = await withRepoLock(input.repo, () => prepare(input));
    if (prepared.kind !== "prepared") return prepared.outcome;
    const { old, sha } = prepared;

    let mergedTreeTest = notRun(input.noTest ?? "untested");
    if (input.test) {
      input.onStage?.("testing", `${input.test.command} on the merged tree ${sha.slice(0, 12)}`);
      const { command, setup, env, timeoutMs } = input.test;
      mergedTreeTest = await testMergedTree({
        repo: input.repo,
        sha,
        test: command,
        setup,
        env,
        timeoutMs,
        signal: input.signal,
        onLine: input.onTestLine,
      });
      if (mergedTreeTest.status !== "passed")
        return { kind: "tests_failed", candidateSha: sha, integrationSha: old, test: mergedTreeTest };
    }

    input.onStage?.("advancing");
    const landed = await withRepoLock(input.repo, async (): Promise<MergeOutcome | "retry"> => {
      const head = await branchSha(input.repo, input.branch);
      if (head !== input.approvedSha) return { kind: "moved", approvedSha: input.approvedSha, headSha: head };
      if ((await branchSha(input.repo, input.into)) !== old) return "retry";
      const refusal = await advanceBranch({ repo: input.repo, into: input.into, old, sha, reflog });
      if (refusal !== null) return { kind: "refused", reason: refusal };
      return merged(sha, await commitsBetween(input.repo, old, input.approvedSha), mergedTreeTest);
    });
    if (landed !== "retry") return landed;
    if (attempt >= MAX_ATTEMPTS) {
      return {
        kind: "refused",
        reason: `${input.into} kept moving while the merged tree was tested (${MAX_ATTEMPTS} attempts); nothing was changed. Approve again later.`,
      };
    }
  }
}

type Prepared = { kind: "prepared"; old: string; sha: string } | { kind: "done"; outcome: MergeOutcome };

async function prepare(input: LandInput): Promise<Prepared> {
  const done = (outcome: MergeOutcome): Prepared => ({ kind: "done", outcome });
  const old = await branchSha(input.repo, input.into);
  if (old === null) return done({ kind: "refused", reason: `The integration branch ${input.into} does not exist.` });
  // A request resent after a crash or reconnect: the approved head already landed (its branch may be gone).
  const landed = await findMergeOf(input.repo, old, input.approvedSha);
  if (landed !== null) return done({ ...merged(landed, [], notRun("skipped")), alreadyMerged: true });
  const head = await branchSha(input.repo, input.branch);
  if (head !== input.approvedSha) return done({ kind: "moved", approvedSha: input.approvedSha, headSha: head });

  const files = await branchChangedFiles(input.repo, old, head);
  const policy = checkBrainPolicy(files.files, input.brain);
  if (!policy.ok) return done({ kind: "refused", reason: policy.reason });

  const built = await buildMergeCommit(input.repo, old, head, input.message);
  // Never "merged" without a merge commit: a branch with no commits of its own (an agent that did not
  // commit) or one that arrived on the integration branch some other way has nothing to merge.
  if (built.kind === "up-to-date") return done({ kind: "refused", reason: nothingToMerge(input.branch, input.into) });
  if (built.kind === "conflict") return done({ kind: "conflict", files: built.files });
  // Refuse a dirty checkout now, before minutes of tests, and again when actually moving it.
  const dirty = await checkoutRefusal(input.repo, input.into);
  if (dirty !== null) return done({ kind: "refused", reason: dirty });
  return { kind: "prepared", old, sha: built.sha };
}

function merged(sha: string, commits: string[], mergedTreeTest: MergedTreeTest): Extract<MergeOutcome, { kind: "merged" }> {
  return { kind: "merged", sha, worktreeRemoved: false, branchDeleted: false, commits, mergedTreeTest };
}

export function nothingToMerge(branch: string, into: string): string {
  return `${branch} has no commits that are not already on ${into}: there is nothing to merge (nothing was changed).`;
}

/**
 * The merge commit on the integration branch's first-parent line that brought `head` in; null when none
 * did (not merged, or it arrived without a merge commit of its own, e.g. a branch with no commits).
 */
export async function findMergeOf(repo: string, integrationSha: string, head: string): Promise<string | null> {
  const merged = await runGit(["merge-base", "--is-ancestor", head, integrationSha], { cwd: repo, okExitCodes: [0, 1] });
  if (merged.exitCode !== 0) return null;
  const { stdout } = await runGit(
    ["rev-list", "--first-parent", "--merges", "--parents", "--max-count=2000", integrationSha, "--"],
    { cwd: repo },
  );
  const line = stdout.split("\n").find((entry) => entry.split(" ").slice(2).includes(head));
  return line?.split(" ")[0] ?? null;
}

/** The agent commits a merge brought in (newest first, at most 1000), for commit provenance. */
async function commitsBetween(repo: string, old: string, head: string): Promise<string[]> {
  const { stdout } = await runGit(["rev-list", "--max-count=1000", head, "--not", old, "--"], { cwd: repo });
  return stdout.split("\n").filter((line) => line !== "");
}
