import { agentBranch, DomainError } from "@grove/core";
import { listWorktrees, lockWorktree, moveAgentWorktree, openRepo, removeAgentWorktree, unlockWorktree } from "@grove/core/node";
import { resolve } from "node:path";
import type { CliContext } from "./cli-context.ts";
import { formatTable, shortSha } from "./format-table.ts";
import { parseFlags, repoPath, REPO_FLAGS, requirePositionals } from "./parse-flags.ts";
import { addWorktree } from "./worktree-add.ts";

const USAGE = `grove worktree <add|list|remove|lock|unlock|move> [options]

  add <agent> <task-id> [--base REF] [--lock-reason TEXT] [--no-setup]
                                                            create (or reuse) agent/<agent>/<task-id>, then run grove.yaml's setup
  list                                                      every worktree, as git sees it
  remove <agent> <task-id> [--force] [--keep-branch]        refuses to lose work unless --force (which archives it first)
  lock <agent> <task-id> --reason TEXT                      protect it from prune and remove
  unlock <agent> <task-id> | unlock --path PATH
  move <agent> <task-id> <new-path>

  common: --repo PATH (default: current folder), --json`;

export async function worktreeCommand(args: string[], ctx: CliContext): Promise<number> {
  const [sub, ...rest] = args;
  switch (sub) {
    case "add":
      return addWorktree(rest, ctx);
    case "list":
    case "ls":
      return list(rest, ctx);
    case "remove":
    case "rm":
      return remove(rest, ctx);
    case "lock":
      return lock(rest, ctx);
    case "unlock":
      return unlock(rest, ctx);
    case "move":
    case "mv":
      return move(rest, ctx);
    case undefined:
    case "help":
    case "--help":
    case "-h":
      ctx.out(USAGE);
      return 0;
    default:
      throw new DomainError("INVALID_INPUT", `unknown worktree command "${sub}"\n${USAGE}`);
  }
}

async function list(args: string[], ctx: CliContext): Promise<number> {
  const usage = "grove worktree list [--repo PATH] [--json]";
  const { values, positionals } = parseFlags(usage, args, REPO_FLAGS);
  if (values.help) return help(ctx, usage);
  requirePositionals(positionals, [], usage);
  const ctxRepo = await openRepo(repoPath(values, ctx.cwd));
  const worktrees = await listWorktrees(ctxRepo.repo);
  if (values.json) {
    ctx.out(JSON.stringify(worktrees));
    return 0;
  }
  const rows = worktrees.map((w) => [
    w.path,
    w.bare ? "(bare)" : (w.branch ?? "(detached)"),
    shortSha(w.head),
    w.locked === null ? "" : `locked${w.locked ? `: ${w.locked}` : ""}`,
    w.prunable === null ? "" : "prunable (folder gone)",
  ]);
  ctx.out(formatTable([["PATH", "BRANCH", "HEAD", "LOCK", "STATE"], ...rows]));
  return 0;
}

async function remove(args: string[], ctx: CliContext): Promise<number> {
  const usage = "grove worktree remove <agent> <task-id> [--force] [--keep-branch] [--repo PATH] [--json]";
  const { values, positionals } = parseFlags(usage, args, {
    ...REPO_FLAGS,
    force: { type: "boolean" },
    "keep-branch": { type: "boolean" },
  });
  if (values.help) return help(ctx, usage);
  const [agent = "", taskId = ""] = requirePositionals(positionals, ["agent", "task-id"], usage);
  const result = await removeAgentWorktree({
    repo: repoPath(values, ctx.cwd),
    agent,
    taskId,
    force: values.force ?? false,
    deleteBranch: !(values["keep-branch"] ?? false),
  });
  if (values.json) {
    ctx.out(JSON.stringify(result));
    return 0;
  }
  const branch = agentBranch(agent, taskId);
  const lines = [result.removed ? `Removed the worktree of ${branch}.` : `No worktree of ${branch} to remove.`];
  if (result.branchDeleted) lines.push(`Deleted branch ${branch}.`);
  if (result.snapshotRef)
    lines.push(
      `Kept the work in ${result.snapshotRef} (grove archive restore ${result.snapshotRef.replace("refs/grove/archive/", "")}).`,
    );
  ctx.out(lines.join("\n"));
  return 0;
}

async function lock(args: string[], ctx: CliContext): Promise<number> {
  const usage = 'grove worktree lock <agent> <task-id> --reason "TEXT" [--repo PATH]';
  const { values, positionals } = parseFlags(usage, args, {
    ...REPO_FLAGS,
    reason: { type: "string" },
    path: { type: "string" },
  });
  if (values.help) return help(ctx, usage);
  if (values.reason === undefined) throw new DomainError("INVALID_INPUT", `--reason is required\nusage: ${usage}`);
  const { repo, path } = await targetWorktree(values, positionals, ctx, usage);
  await lockWorktree(repo, path, values.reason);
  ctx.out(values.json ? JSON.stringify({ path, locked: values.reason }) : `Locked ${path} (${values.reason}).`);
  return 0;
}

async function unlock(args: string[], ctx: CliContext): Promise<number> {
  const usage = "grove worktree unlock <agent> <task-id> | --path PATH [--repo PATH]";
  const { values, positionals } = parseFlags(usage, args, { ...REPO_FLAGS, path: { type: "string" } });
  if (values.help) return help(ctx, usage);
  const { repo, path } = await targetWorktree(values, positionals, ctx, usage);
  await unlockWorktree(repo, path);
  ctx.out(values.json ? JSON.stringify({ path, locked: null }) : `Unlocked ${path}.`);
  return 0;
}

async function move(args: string[], ctx: CliContext): Promise<number> {
  const usage = "grove worktree move <agent> <task-id> <new-path> [--repo PATH] [--json]";
  const { values, positionals } = parseFlags(usage, args, REPO_FLAGS);
  if (values.help) return help(ctx, usage);
  const [agent = "", taskId = "", to = ""] = requirePositionals(positionals, ["agent", "task-id", "new-path"], usage);
  const moved = await moveAgentWorktree({ repo: repoPath(values, ctx.cwd), agent, taskId, to: resolve(ctx.cwd, to) });
  ctx.out(values.json ? JSON.stringify(moved) : `Moved ${moved.from} to ${moved.to}.`);
  return 0;
}

/** The worktree named by <agent> <task-id> (wherever it is) or by --path. */
async function targetWorktree(
  values: { repo?: string | undefined; path?: string | undefined },
  positionals: string[],
  ctx: CliContext,
  usage: string,
): Promise<{ repo: string; path: string }> {
  const repo = (await openRepo(repoPath(values, ctx.cwd))).repo;
  if (values.path !== undefined) {
    requirePositionals(positionals, [], usage);
    return { repo, path: resolve(ctx.cwd, values.path) };
  }
  const [agent = "", taskId = ""] = requirePositionals(positionals, ["agent", "task-id"], usage);
  const branch = agentBranch(agent, taskId);
  const worktree = (await listWorktrees(repo)).find((w) => w.branch === branch);
  if (!worktree) throw new DomainError("NOT_FOUND", `No worktree has ${branch} checked out (see \`grove worktree list\`).`);
  return { repo, path: worktree.path };
}

function help(ctx: CliContext, usage: string): number {
  ctx.out(`usage: ${usage}`);
  return 0;
}
