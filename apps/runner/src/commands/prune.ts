import { pruneWorktrees } from "@grove/core/node";
import type { CliContext } from "./cli-context.ts";
import { parseFlags, repoPath, REPO_FLAGS, requirePositionals } from "./parse-flags.ts";

const USAGE = "grove prune [--dry-run] [--repo PATH] [--json]";

/** `git worktree prune`, reporting what it forgets and which locked entries it keeps. */
export async function pruneCommand(args: string[], ctx: CliContext): Promise<number> {
  const { values, positionals } = parseFlags(USAGE, args, { ...REPO_FLAGS, "dry-run": { type: "boolean" } });
  if (values.help) {
    ctx.out(`usage: ${USAGE}\n\nForgets worktrees whose folder was deleted by hand (their branches become free again).`);
    return 0;
  }
  requirePositionals(positionals, [], USAGE);
  const result = await pruneWorktrees({ repo: repoPath(values, ctx.cwd), dryRun: values["dry-run"] ?? false });
  if (values.json) {
    ctx.out(JSON.stringify(result));
    return 0;
  }
  const verb = result.dryRun ? "Would prune" : "Pruned";
  const lines = result.pruned.map((w) => `${verb} ${w.path}${w.branch ? ` (${w.branch})` : ""}`);
  for (const w of result.keptLocked)
    lines.push(`Kept ${w.path}: its folder is gone but it is locked (${w.locked || "no reason"}); unlock it to prune it.`);
  ctx.out(lines.length > 0 ? lines.join("\n") : "Nothing to prune.");
  return 0;
}
