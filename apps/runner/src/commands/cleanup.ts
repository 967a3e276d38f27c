import { cleanupAgentWorktrees } from "@grove/core/node";
import type { CliContext } from "./cli-context.ts";
import { parseFlags, repoPath, REPO_FLAGS, requirePositionals } from "./parse-flags.ts";

const USAGE = "grove cleanup [--repo PATH] [--json]";

/** After a session: remove agent worktrees, delete merged agent branches, prune; never forces. */
export async function cleanupCommand(args: string[], ctx: CliContext): Promise<number> {
  const { values, positionals } = parseFlags(USAGE, args, REPO_FLAGS);
  if (values.help) {
    ctx.out(
      `usage: ${USAGE}\n\nRemoves clean, unlocked agent worktrees, deletes agent/* branches merged into the integration branch,\nand prunes. Locked or dirty worktrees and unmerged branches are kept and listed.`,
    );
    return 0;
  }
  requirePositionals(positionals, [], USAGE);
  const result = await cleanupAgentWorktrees({ repo: repoPath(values, ctx.cwd) });
  if (values.json) {
    ctx.out(JSON.stringify(result));
    return 0;
  }
  const lines = [
    ...result.removed.map((r) => `Removed ${r.path}`),
    ...result.branchesDeleted.map((b) => `Deleted merged branch ${b}`),
    ...result.pruned.map((p) => `Pruned ${p}`),
    ...result.kept.map((k) => `Kept ${k.path ?? k.branch}: ${k.reason}`),
  ];
  ctx.out(lines.length > 0 ? lines.join("\n") : "Nothing to clean up.");
  return 0;
}
