import { DomainError } from "@grove/core";
import { listArchives, openRepo, restoreArchive } from "@grove/core/node";
import type { CliContext } from "./cli-context.ts";
import { formatTable, shortSha } from "./format-table.ts";
import { parseFlags, repoPath, REPO_FLAGS, requirePositionals } from "./parse-flags.ts";

const USAGE = `grove archive <list|restore> [options]

  list                               work kept by forced removals (refs/grove/archive/…)
  restore <agent/task/time> [--as TASK-ID]
                                     the branch and a worktree back, uncommitted work uncommitted again

  common: --repo PATH, --json`;

export async function archiveCommand(args: string[], ctx: CliContext): Promise<number> {
  const [sub, ...rest] = args;
  switch (sub) {
    case "list":
    case "ls":
      return list(rest, ctx);
    case "restore":
      return restore(rest, ctx);
    case undefined:
    case "help":
    case "--help":
    case "-h":
      ctx.out(USAGE);
      return 0;
    default:
      throw new DomainError("INVALID_INPUT", `unknown archive command "${sub}"\n${USAGE}`);
  }
}

async function list(args: string[], ctx: CliContext): Promise<number> {
  const usage = "grove archive list [--repo PATH] [--json]";
  const { values, positionals } = parseFlags(usage, args, REPO_FLAGS);
  if (values.help) return help(ctx, usage);
  requirePositionals(positionals, [], usage);
  const repo = (await openRepo(repoPath(values, ctx.cwd))).repo;
  const archives = await listArchives(repo);
  if (values.json) ctx.out(JSON.stringify(archives));
  else if (archives.length === 0) ctx.out("No archives.");
  else {
    const rows = archives.map((a) => [
      a.ref.replace("refs/grove/archive/", ""),
      new Date(a.at).toISOString(),
      shortSha(a.sha),
      a.isSnapshot ? "branch + uncommitted work" : "branch",
    ]);
    ctx.out(formatTable([["ARCHIVE", "WHEN", "COMMIT", "KEEPS"], ...rows]));
  }
  return 0;
}

async function restore(args: string[], ctx: CliContext): Promise<number> {
  const usage = "grove archive restore <agent/task/time> [--as TASK-ID] [--repo PATH] [--json]";
  const { values, positionals } = parseFlags(usage, args, { ...REPO_FLAGS, as: { type: "string" } });
  if (values.help) return help(ctx, usage);
  const [ref = ""] = requirePositionals(positionals, ["archive"], usage);
  const restored = await restoreArchive({
    repo: repoPath(values, ctx.cwd),
    ref,
    ...(values.as === undefined ? {} : { taskId: values.as }),
  });
  if (values.json) ctx.out(JSON.stringify(restored));
  else {
    const what = restored.restoredUncommitted ? "with its uncommitted work" : "at its archived head";
    ctx.out(`Restored ${restored.branch} ${what} in ${restored.path}`);
  }
  return 0;
}

function help(ctx: CliContext, usage: string): number {
  ctx.out(`usage: ${usage}`);
  return 0;
}
