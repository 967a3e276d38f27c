import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { planBrainDeposit, type DepositSource } from "../brain/plan-deposit.ts";
import { normalizeBrainDir } from "../merge/brain-policy.ts";
import { validateRefName } from "../naming/agent-branch.ts";
import type { Result } from "../schemas/result.ts";
import { advanceBranch } from "./advance-branch.ts";
import { branchSha } from "./refs.ts";
import { withRepoLock } from "./repo-lock.ts";
import { runGit } from "./run-git.ts";

export type DepositInput = { repo: string; into: string; brain: string; result: Result; source: DepositSource };
export type DepositOutcome =
  { kind: "deposited"; sha: string; files: string[]; isRepeat?: boolean } | { kind: "refused"; reason: string };

// The orchestrator's own commits must not depend on the machine's user.name/user.email.
const ORCHESTRATOR = {
  GIT_AUTHOR_NAME: "grove",
  GIT_AUTHOR_EMAIL: "grove@localhost",
  GIT_COMMITTER_NAME: "grove",
  GIT_COMMITTER_EMAIL: "grove@localhost",
};

/**
 * Deposits a RESULT's learnings into the brain folder as the orchestrator's own commit on `into`
 * (seed section 5, option C). Numbering, commit and the compare-and-swap happen under the repository
 * lock, so racing deposits (threads or processes) each see the files of the one before: no number is
 * taken twice. The checkout of `into` comes along, or the deposit is refused and nothing changes.
 */
export async function depositBrain(input: DepositInput): Promise<DepositOutcome> {
  validateRefName(input.into);
  return withRepoLock(input.repo, async (): Promise<DepositOutcome> => {
    const old = await branchSha(input.repo, input.into);
    if (old === null) return { kind: "refused", reason: `The integration branch ${input.into} does not exist.` };
    const earlier = await findDeposit(input.repo, old, input.source.mergeSha);
    if (earlier) return earlier;
    const { sha, files } = await commitBrainDeposit(input.repo, old, input);
    const refusal = await advanceBranch({
      repo: input.repo,
      into: input.into,
      old,
      sha,
      reflog: `grove: brain deposit for ${input.source.branch}`,
    });
    if (refusal !== null) return { kind: "refused", reason: refusal };
    return { kind: "deposited", sha, files };
  });
}

/**
 * The deposit commit of a RESULT's learnings on top of `old` (numbered after the brain files in `old`), in
 * the object store alone: no ref and no checkout is touched. The merge queue builds it into the candidate it
 * tests, so the tree that lands is the tree that passed.
 */
export async function commitBrainDeposit(
  repo: string,
  old: string,
  input: Omit<DepositInput, "repo" | "into">,
): Promise<{ sha: string; files: string[] }> {
  const brainDir = normalizeBrainDir(input.brain);
  const listed = await runGit(["ls-tree", "-r", "--name-only", "-z", old, "--", brainDir], { cwd: repo });
  const existing = listed.stdout.split("\0").filter((path) => path !== "");
  const files = planBrainDeposit({ brain: brainDir, existingPaths: existing, result: input.result, source: input.source });
  const tree = await treeWithFiles(repo, old, files);
  const { agent, taskId, runId, mergeSha } = input.source;
  const message =
    `grove: deposit ${agent} agent learnings (${taskId}) into ${brainDir}/\n\n` +
    `${files.map((f) => `- ${f.path}`).join("\n")}\n\nGrove-Run: ${runId}\nGrove-Merge: ${mergeSha}\n`;
  const commit = await runGit(["commit-tree", tree, "-p", old, "-F", "-"], { cwd: repo, env: ORCHESTRATOR, input: message });
  return { sha: commit.stdout.trim(), files: files.map((f) => f.path) };
}

/** The tree of `base` plus the new files, written through a private index (no checkout is touched). */
async function treeWithFiles(repo: string, base: string, files: { path: string; content: string }[]): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "grove-deposit-"));
  try {
    const env = { GIT_INDEX_FILE: join(dir, "index") };
    await runGit(["read-tree", base], { cwd: repo, env });
    for (const file of files) {
      const blob = await runGit(["hash-object", "-w", "--stdin"], { cwd: repo, input: file.content });
      await runGit(["update-index", "--add", "--cacheinfo", `100644,${blob.stdout.trim()},${file.path}`], { cwd: repo, env });
    }
    const tree = await runGit(["write-tree"], { cwd: repo, env });
    return tree.stdout.trim();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** A deposit for this merge already on the branch (a resent request): found by its Grove-Merge trailer. */
async function findDeposit(repo: string, head: string, mergeSha: string): Promise<DepositOutcome | null> {
  const found = await runGit(
    ["log", "-1", "--format=%H", "--fixed-strings", `--grep=Grove-Merge: ${mergeSha}`, `${mergeSha}..${head}`, "--"],
    { cwd: repo, okExitCodes: [0, 128] },
  );
  const sha = found.exitCode === 0 ? found.stdout.trim() : "";
  if (sha === "") return null;
  const { stdout } = await runGit(["diff-tree", "--no-commit-id", "--name-only", "-r", "-z", sha], { cwd: repo });
  return { kind: "deposited", sha, files: stdout.split("\0").filter((f) => f !== ""), isRepeat: true };
}
