import { DomainError } from "../errors/domain-error.ts";
import { agentBranch } from "../naming/agent-branch.ts";
import { ARCHIVE_PREFIX, parseArchiveRef, SNAPSHOT_SUBJECT, type ArchiveEntry } from "../worktree/archive-ref.ts";
import { createAgentWorktree } from "./create-agent-worktree.ts";
import { openRepo } from "./open-repo.ts";
import { branchSha } from "./refs.ts";
import { withRepoLock } from "./repo-lock.ts";
import { runGit } from "./run-git.ts";
import { worktreeStatus } from "./worktree-status.ts";

export async function listArchives(repo: string): Promise<ArchiveEntry[]> {
  const { stdout } = await runGit(
    ["for-each-ref", "--sort=-refname", "--format=%(refname)%00%(objectname)%00%(parent)%00%(subject)", ARCHIVE_PREFIX],
    {
      cwd: repo,
    },
  );
  const entries: ArchiveEntry[] = [];
  for (const line of stdout.split("\n")) {
    const [ref = "", sha = "", parents = "", subject = ""] = line.split("\0");
    const parsed = parseArchiveRef(ref);
    if (!parsed) continue;
    const isSnapshot = subject.startsWith(SNAPSHOT_SUBJECT) && parents.split(" ").length === 1;
    entries.push({ ref, ...parsed, sha, isSnapshot, subject });
  }
  return entries.sort((a, b) => b.at - a.at);
}

export type RestoredArchive = { ref: string; path: string; branch: string; restoredUncommitted: boolean };

/**
 * Brings an archive back as it was: the branch at its head again, checked out in a worktree, and a
 * snapshot's uncommitted work back as uncommitted changes and untracked files. `taskId` restores it
 * under another task id when the original branch is in use again.
 */
export async function restoreArchive(input: { repo: string; ref: string; taskId?: string }): Promise<RestoredArchive> {
  const ref = input.ref.startsWith(ARCHIVE_PREFIX) ? input.ref : `${ARCHIVE_PREFIX}${input.ref}`;
  const parsed = parseArchiveRef(ref);
  if (!parsed) throw new DomainError("INVALID_INPUT", `"${input.ref}" is not an archive (see \`grove archive list\`).`);
  const taskId = input.taskId ?? parsed.taskId;
  const branch = agentBranch(parsed.agent, taskId);
  const ctx = await openRepo(input.repo);

  return withRepoLock(ctx.repo, async () => {
    const entry = (await listArchives(ctx.repo)).find((e) => e.ref === ref);
    if (!entry) throw new DomainError("NOT_FOUND", `There is no archive ${ref} (see \`grove archive list\`).`);
    const head = entry.isSnapshot ? (await runGit(["rev-parse", `${entry.sha}^`], { cwd: ctx.repo })).stdout.trim() : entry.sha;

    const existing = await branchSha(ctx.repo, branch);
    if (existing !== null && existing !== head) {
      throw new DomainError(
        "ALREADY_EXISTS",
        `Branch ${branch} exists and points elsewhere (${existing.slice(0, 12)}); restore under another task id (--as <task-id>).`,
      );
    }
    if (existing === null) await runGit(["update-ref", `refs/heads/${branch}`, head, "0".repeat(head.length)], { cwd: ctx.repo });

    const { path } = await createAgentWorktree({ repo: ctx.repo, agent: parsed.agent, taskId });
    if (!entry.isSnapshot) return { ref, path, branch, restoredUncommitted: false };
    if ((await worktreeStatus(path)).length > 0) {
      throw new DomainError(
        "DIRTY_WORKTREE",
        `The worktree ${path} has uncommitted changes; the snapshot was not applied over them.`,
      );
    }
    // Files of the snapshot into the worktree, then the index back to HEAD: the work is uncommitted again.
    await runGit(["read-tree", "-m", "-u", "HEAD", entry.sha], { cwd: path });
    await runGit(["reset", "-q"], { cwd: path });
    return { ref, path, branch, restoredUncommitted: true };
  });
}
