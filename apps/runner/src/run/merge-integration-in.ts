import { DomainError } from "@grove/core";
import { commitAgentWork, headSha, runGit } from "@grove/core/node";
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";

/**
 * What merging the integration branch into an agent's branch did: `merged` (a merge commit), `up-to-date`
 * (the branch already holds it), `conflict` (the merge is left in progress for the agent, `files` unmerged).
 */
export type IntegrationMerge = {
  kind: "merged" | "up-to-date" | "conflict";
  integrationSha: string;
  sha: string | null;
  files: string[];
  /** Each conflicted file as the merge left it in the worktree, to tell later whether the agent touched it. */
  left: ConflictLeft[];
  /** The leftovers grove committed first so that the merge could run on a clean worktree. */
  leftoversCommit: string | null;
};

/** A conflicted path and a hash of the content the merge left there (null: no file). */
export type ConflictLeft = { path: string; content: string | null };

// grove's own commits must not fail on a machine without user.name/user.email.
const GROVE_IDENTITY = {
  GIT_AUTHOR_NAME: "grove",
  GIT_AUTHOR_EMAIL: "grove@localhost",
  GIT_COMMITTER_NAME: "grove",
  GIT_COMMITTER_EMAIL: "grove@localhost",
};
const MAX_CONFLICT_FILES = 500;

/**
 * Send back: `git merge --no-ff` of the integration head into the agent's branch, in its worktree. Uncommitted
 * leftovers are committed first (already snapshotted by the caller), or git could refuse to merge over them.
 */
export async function mergeIntegrationIn(
  target: { repo: string; branch: string; integration: string },
  round: number,
  worktreePath: string,
): Promise<IntegrationMerge> {
  const integrationSha = await headSha(target.repo, target.integration);
  const ancestor = await runGit(["merge-base", "--is-ancestor", integrationSha, "HEAD"], {
    cwd: worktreePath,
    okExitCodes: [0, 1],
  });
  if (ancestor.exitCode === 0)
    return { kind: "up-to-date", integrationSha, sha: null, files: [], left: [], leftoversCommit: null };
  const leftovers = await commitAgentWork(worktreePath, {
    branch: target.branch,
    author: { name: "grove", email: "grove@localhost" },
    message: `Uncommitted work left before round ${round}, committed by grove so that ${target.integration} can be merged in\n`,
  });
  if (leftovers.kind === "off-branch")
    throw new DomainError("INVALID_INPUT", `the worktree ${worktreePath} is on ${leftovers.head}, not ${target.branch}`);
  const leftoversCommit = leftovers.kind === "committed" ? leftovers.sha : null;
  const message = `Merge ${target.integration} (${integrationSha.slice(0, 12)}) into ${target.branch} for round ${round}`;
  const merge = await runGit(["-c", "commit.gpgsign=false", "merge", "--no-ff", "--no-edit", "-m", message, integrationSha], {
    cwd: worktreePath,
    env: GROVE_IDENTITY,
    okExitCodes: [0, 1],
  });
  if (merge.exitCode === 0)
    return { kind: "merged", integrationSha, sha: await headSha(worktreePath), files: [], left: [], leftoversCommit };
  const files = await unmergedPaths(worktreePath);
  if (files.length > 0) {
    const left = await Promise.all(files.map(async (path) => ({ path, content: await contentHash(worktreePath, path) })));
    return { kind: "conflict", integrationSha, sha: null, files, left, leftoversCommit };
  }
  throw new DomainError(
    "GIT_FAILED",
    `merging ${target.integration} into ${target.branch} failed: ${merge.stderr.trim().slice(-1_000)}`,
  );
}

export async function unmergedPaths(worktreePath: string): Promise<string[]> {
  const { stdout } = await runGit(["diff", "--name-only", "--diff-filter=U", "-z"], { cwd: worktreePath });
  return [...new Set(stdout.split("\0").filter((path) => path !== ""))].slice(0, MAX_CONFLICT_FILES);
}

/**
 * The files of a conflicted merge that are not resolved once the agent is done: those still holding a conflict
 * marker line (`<<<<<<< ` / `>>>>>>> `), and those git still lists unmerged that the agent never touched (a
 * modify/delete conflict has no markers). A file the agent edited clean but did not `git add` counts as resolved:
 * grove adds it when it concludes the merge.
 */
export async function unresolvedConflicts(worktreePath: string, conflicts: readonly ConflictLeft[]): Promise<string[]> {
  const unmerged = new Set(await unmergedPaths(worktreePath));
  const unresolved: string[] = [];
  for (const { path, content } of conflicts) {
    const text = await readFile(join(worktreePath, path), "utf8").catch(() => null);
    const hasMarkers = text !== null && /^(<{7}|>{7})( |$)/m.test(text);
    const isUntouched = unmerged.has(path) && (await contentHash(worktreePath, path)) === content;
    if (hasMarkers || isUntouched) unresolved.push(path);
  }
  return unresolved.sort();
}

async function contentHash(worktreePath: string, path: string): Promise<string | null> {
  const bytes = await readFile(join(worktreePath, path)).catch(() => null);
  return bytes === null ? null : createHash("sha256").update(bytes).digest("hex");
}

export async function isMergeInProgress(worktreePath: string): Promise<boolean> {
  const result = await runGit(["rev-parse", "-q", "--verify", "MERGE_HEAD"], { cwd: worktreePath, okExitCodes: [0, 1] });
  return result.exitCode === 0;
}

/** Concludes grove's merge of the integration branch with what the agent resolved: a merge commit, as the agent. */
export async function concludeMerge(worktreePath: string, agent: string): Promise<string> {
  await runGit(["add", "-A", "--", "."], { cwd: worktreePath });
  const env = { ...GROVE_IDENTITY, GIT_AUTHOR_NAME: agent, GIT_AUTHOR_EMAIL: `${agent}@agents.grove.invalid` };
  await runGit(["-c", "commit.gpgsign=false", "commit", "--quiet", "--no-edit"], { cwd: worktreePath, env });
  return headSha(worktreePath);
}
