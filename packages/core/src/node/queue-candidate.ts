import { checkBrainPolicy } from "../merge/brain-policy.ts";
import { validateRefName } from "../naming/agent-branch.ts";
import type { MergeOutcome } from "../schemas/events.ts";
import type { MergedTreeTest } from "../schemas/merge.ts";
import { advanceBranch, checkoutRefusal } from "./advance-branch.ts";
import { branchChangedFiles } from "./branch-files.ts";
import { buildMergeCommit } from "./build-merge-commit.ts";
import { findMergeOf, nothingToMerge } from "./find-merge-of.ts";
import { branchSha } from "./refs.ts";
import { readQueueFence, type QueueFence } from "./queue-fence.ts";
import { withRepoLock } from "./repo-lock.ts";
import { runGit } from "./run-git.ts";

/**
 * One speculative candidate of the merge queue: the `--no-ff` merge commit of an approved branch on `base`
 * (the integration head, or the candidate of the entry ahead), plus, when the run deposits learnings, the
 * brain deposit commit on top. `sha` is what is tested and what the integration branch moves to, so the tree
 * that lands is exactly the tree that passed; `mergeSha` is the merge commit that "merged" names.
 */
export type QueueCandidate = {
  base: string;
  sha: string;
  mergeSha: string;
  deposit: { sha: string; files: string[] } | null;
  depositError?: string;
};

export type CandidateInput = {
  repo: string;
  into: string;
  branch: string;
  approvedSha: string;
  message: string;
  brain: string;
  /** Adds the brain deposit commit on top of the merge commit (null: nothing to deposit). */
  deposit?: (mergeSha: string) => Promise<{ sha: string; files: string[] } | { error: string } | null>;
};

export type BuiltCandidate = { kind: "built"; candidate: QueueCandidate } | { kind: "judged"; outcome: MergeOutcome };

/**
 * Builds the candidate of one queue entry on `base` in the object store alone (no ref, index or checkout is
 * touched). What is not a candidate comes back as the outcome it would be (conflict, moved, refused — the brain
 * policy, nothing to merge, a dirty integration checkout — or the approved head already merged); the queue treats
 * that as final only once `base` is the real integration head.
 */
export async function buildQueueCandidate(input: CandidateInput, base: string | null): Promise<BuiltCandidate> {
  validateRefName(input.into);
  validateRefName(input.branch);
  const judged = (outcome: MergeOutcome): BuiltCandidate => ({ kind: "judged", outcome });
  if (base === null) return judged({ kind: "refused", reason: `The integration branch ${input.into} does not exist.` });
  const landed = await findMergeOf(input.repo, base, input.approvedSha);
  if (landed !== null) return judged({ ...mergedOutcome(landed, [], notRun("skipped")), alreadyMerged: true });
  const head = await branchSha(input.repo, input.branch);
  if (head !== input.approvedSha) return judged({ kind: "moved", approvedSha: input.approvedSha, headSha: head });
  const files = await branchChangedFiles(input.repo, base, head);
  const policy = checkBrainPolicy(files.files, input.brain);
  if (!policy.ok) return judged({ kind: "refused", reason: policy.reason });
  const built = await buildMergeCommit(input.repo, base, head, input.message);
  if (built.kind === "up-to-date") return judged({ kind: "refused", reason: nothingToMerge(input.branch, input.into) });
  if (built.kind === "conflict") return judged({ kind: "conflict", files: built.files });
  // A dirty checkout of the integration branch would refuse the landing anyway: refuse it now, before minutes
  // of tests, not after them (landing checks again when it moves the checkout).
  // Under the repository lock: a landing (another runner's too) moves the checkout's files before the branch.
  const dirty = await withRepoLock(input.repo, () => checkoutRefusal(input.repo, input.into));
  if (dirty !== null) return judged({ kind: "refused", reason: dirty });
  const deposit = input.deposit ? await input.deposit(built.sha) : null;
  if (deposit === null) return { kind: "built", candidate: { base, sha: built.sha, mergeSha: built.sha, deposit: null } };
  if ("error" in deposit)
    return {
      kind: "built",
      candidate: { base, sha: built.sha, mergeSha: built.sha, deposit: null, depositError: deposit.error },
    };
  return { kind: "built", candidate: { base, sha: deposit.sha, mergeSha: built.sha, deposit } };
}

export type LandCandidateInput = {
  repo: string;
  into: string;
  branch: string;
  approvedSha: string;
  /** The queue owner's lease fence: verified in the transaction that moves the integration branch. */
  fence?: QueueFence;
};

/**
 * Moves the integration branch from the candidate's base to the candidate (compare-and-swap, under the
 * repository lock, the clean checkout brought along). "base-moved": someone else moved the integration branch
 * since the candidate was built; nothing was changed and the queue rebuilds. "fenced": the queue's lease fence
 * is no longer the caller's (another runner took the queue over); nothing was changed, and the caller must stop.
 */
export async function landQueueCandidate(
  input: LandCandidateInput,
  candidate: QueueCandidate,
  test: MergedTreeTest,
): Promise<MergeOutcome | "base-moved" | "fenced"> {
  return withRepoLock(input.repo, async (): Promise<MergeOutcome | "base-moved" | "fenced"> => {
    const head = await branchSha(input.repo, input.branch);
    if (head !== input.approvedSha) return { kind: "moved", approvedSha: input.approvedSha, headSha: head };
    if ((await branchSha(input.repo, input.into)) !== candidate.base) return "base-moved";
    const reflog = `grove: merge ${input.branch} into ${input.into}`;
    const { fence } = input;
    const refusal = await advanceBranch({
      repo: input.repo,
      into: input.into,
      old: candidate.base,
      sha: candidate.sha,
      reflog,
      fence,
    });
    if (refusal !== null && fence && (await readQueueFence(input.repo, input.into))?.sha !== fence.sha) return "fenced";
    if (refusal !== null) return { kind: "refused", reason: refusal };
    const { stdout } = await runGit(["rev-list", "--max-count=1000", input.approvedSha, "--not", candidate.base, "--"], {
      cwd: input.repo,
    });
    return mergedOutcome(
      candidate.mergeSha,
      stdout.split("\n").filter((line) => line !== ""),
      test,
    );
  });
}

export function notRun(status: MergedTreeTest["status"]): MergedTreeTest {
  return { status, command: null, exitCode: null, durationMs: 0, outputTail: "" };
}

function mergedOutcome(
  sha: string,
  commits: string[],
  mergedTreeTest: MergedTreeTest,
): Extract<MergeOutcome, { kind: "merged" }> {
  return { kind: "merged", sha, worktreeRemoved: false, branchDeleted: false, commits, mergedTreeTest };
}
