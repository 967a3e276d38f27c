import { resolve } from "node:path";
import { DomainError } from "../errors/domain-error.ts";
import { agentBranch } from "../naming/agent-branch.ts";
import { isSamePath, listWorktrees } from "./list-worktrees.ts";
import { openRepo } from "./open-repo.ts";
import { withRepoLock } from "./repo-lock.ts";
import { runGit } from "./run-git.ts";

/** `git worktree move` for an agent's worktree; a locked worktree (an agent may be in it) is refused. */
export async function moveAgentWorktree(input: {
  repo: string;
  agent: string;
  taskId: string;
  to: string;
}): Promise<{ from: string; to: string }> {
  const branch = agentBranch(input.agent, input.taskId);
  const ctx = await openRepo(input.repo);
  const to = resolve(input.to);
  return withRepoLock(ctx.repo, async () => {
    const worktree = (await listWorktrees(ctx.repo)).find((w) => w.branch === branch);
    if (!worktree) throw new DomainError("NOT_FOUND", `No worktree has ${branch} checked out (see \`grove worktree list\`).`);
    if (await isSamePath(worktree.path, to)) return { from: worktree.path, to: worktree.path };
    if (worktree.locked !== null) {
      throw new DomainError(
        "INVALID_INPUT",
        `The worktree ${worktree.path} is locked (${worktree.locked || "no reason"}); unlock it before moving it.`,
      );
    }
    await runGit(["worktree", "move", "--", worktree.path, to], { cwd: ctx.repo });
    return { from: worktree.path, to };
  });
}
