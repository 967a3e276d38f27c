import { access } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { DomainError } from "../errors/domain-error.ts";
import { validateRefName } from "../naming/agent-branch.ts";
import { repoDisplayName } from "../worktree/worktree-path.ts";
import { runGit, type GitProgress } from "./run-git.ts";
import { checkOutWithProgress } from "./set-up-worktree.ts";

export type BareLayout = { repo: string; integrationWorktree: string; integration: string };

/**
 * The seed's bare-repository layout, where every worktree is a peer: `<name>.git` holds only git data,
 * `<name>-<integration>` is the integration branch's worktree beside it, agents' worktrees go next to them.
 */
export async function initBareLayout(input: {
  source: string;
  target?: string;
  cwd: string;
  /** Progress of the clone and of the integration worktree's checkout. */
  onProgress?: (progress: GitProgress) => void;
}): Promise<BareLayout> {
  const { onProgress } = input;
  const sourceName = repoDisplayName(basename(input.source.replace(/\/+$/, "")));
  const repo = resolve(input.cwd, input.target ?? `${sourceName}.git`);
  if (await exists(repo)) throw new DomainError("ALREADY_EXISTS", `${repo} already exists; choose another target folder.`);
  const cloneArgs = onProgress ? ["clone", "--bare", "--progress"] : ["clone", "--bare"];
  await runGit([...cloneArgs, "--", input.source, repo], { cwd: input.cwd, ...(onProgress ? { onProgress } : {}) });
  // A bare clone maps no remote-tracking branches; worktrees want `git fetch` to behave as usual.
  await runGit(["config", "remote.origin.fetch", "+refs/heads/*:refs/remotes/origin/*"], { cwd: repo });
  const { stdout } = await runGit(["symbolic-ref", "--short", "HEAD"], { cwd: repo });
  const integration = validateRefName(stdout.trim());
  const integrationWorktree = join(dirname(repo), `${repoDisplayName(basename(repo))}-${integration.replaceAll("/", "-")}`);
  await runGit(["worktree", "add", ...(onProgress ? ["--no-checkout"] : []), "--", integrationWorktree, integration], {
    cwd: repo,
  });
  if (onProgress) await checkOutWithProgress(integrationWorktree, onProgress);
  return { repo, integrationWorktree, integration };
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}
