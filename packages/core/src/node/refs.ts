import { DomainError } from "../errors/domain-error.ts";
import { validateRefName } from "../naming/agent-branch.ts";
import { runGit } from "./run-git.ts";

const SHA = /^[0-9a-f]{40}([0-9a-f]{24})?$/;

export function isSha(value: string): boolean {
  return SHA.test(value);
}

/** The commit a ref (default HEAD) points to; NOT_FOUND when it does not resolve to a commit. */
export async function headSha(cwd: string, ref = "HEAD"): Promise<string> {
  if (!isSha(ref)) validateRefName(ref);
  const result = await runGit(["rev-parse", "--verify", "--quiet", "--end-of-options", `${ref}^{commit}`], {
    cwd,
    okExitCodes: [0, 1, 128],
  });
  const sha = result.stdout.trim();
  if (result.exitCode !== 0 || !isSha(sha)) {
    throw new DomainError("NOT_FOUND", `"${ref}" does not name a commit in ${cwd}.`);
  }
  return sha;
}

/** The ref a worktree's HEAD is on ("refs/heads/…"); null when it is detached. */
export async function symbolicHead(worktree: string): Promise<string | null> {
  const { stdout } = await runGit(["symbolic-ref", "-q", "HEAD"], { cwd: worktree, okExitCodes: [0, 1] });
  return stdout.trim() || null;
}

export async function branchSha(repo: string, branch: string): Promise<string | null> {
  validateRefName(branch);
  const result = await runGit(["rev-parse", "--verify", "--quiet", `refs/heads/${branch}^{commit}`], {
    cwd: repo,
    okExitCodes: [0, 1],
  });
  return result.exitCode === 0 ? result.stdout.trim() : null;
}

/** `git diff --stat base...head`: what head changed since it forked from base. */
export async function diffStat(repo: string, base: string, head: string): Promise<string> {
  for (const ref of [base, head]) if (!isSha(ref)) validateRefName(ref);
  const { stdout } = await runGit(["diff", "--stat", `${base}...${head}`, "--"], { cwd: repo });
  return stdout;
}

/** How many commits `head` has that `base` does not, counted up to `limit`. */
export async function countCommits(repo: string, base: string, head: string, limit = 10_000): Promise<number> {
  for (const ref of [base, head]) if (!isSha(ref)) validateRefName(ref);
  const { stdout } = await runGit(["rev-list", "--count", `--max-count=${limit}`, head, "--not", base, "--"], { cwd: repo });
  return Number(stdout.trim());
}

/** Commits on `branch` that `into` does not contain, newest first, as "sha subject" lines. */
export async function unmergedCommits(repo: string, into: string, branch: string): Promise<string[]> {
  const { stdout } = await runGit(["log", "--format=%h %s", `refs/heads/${into}..refs/heads/${branch}`, "--"], { cwd: repo });
  return stdout.split("\n").filter((line) => line !== "");
}

/**
 * The commits several refs or shas name, in one git process (`cat-file --batch-check`); null for one that names
 * no commit. Each is validated first, as headSha does.
 */
export async function resolveCommits(repo: string, refs: string[]): Promise<(string | null)[]> {
  for (const ref of refs) if (!isSha(ref)) validateRefName(ref);
  const { stdout } = await runGit(["cat-file", "--batch-check=%(objectname)"], {
    cwd: repo,
    input: refs.map((ref) => `${ref}^{commit}\n`).join(""),
  });
  // A name that resolves to no commit prints "<name> missing" (or "ambiguous"), never a bare object name.
  const lines = stdout.split("\n");
  return refs.map((_, i) => {
    const line = lines[i]?.trim() ?? "";
    return isSha(line) ? line : null;
  });
}
