import type { LeftoverWork } from "@grove/core";
import { openRepo } from "@grove/core/node";
import { localRunBranches } from "../run/kept-branches.ts";
import type { CliContext } from "./cli-context.ts";
import { formatTable, shortSha } from "./format-table.ts";
import { runnerDataDir } from "./runner-data-dir.ts";

/** Ended runs' leftovers as a table: age, last commit, uncommitted work. */
export function formatLeftovers(leftovers: LeftoverWork[], now: number): string {
  const rows = leftovers.map((l) => [
    l.branch,
    describeAge(now - l.lastActivityAt),
    `${shortSha(l.lastCommit.sha)} ${new Date(l.lastCommit.at).toISOString().slice(0, 10)} ${l.lastCommit.subject.slice(0, 60)}`,
    l.uncommittedFiles > 0 ? `${l.uncommittedFiles} uncommitted file(s)` : "clean",
    l.path ?? "(no worktree)",
  ]);
  return formatTable([["BRANCH", "AGE", "LAST COMMIT", "WORK", "WORKTREE"], ...rows]);
}

export function describeAge(ms: number): string {
  const minutes = Math.max(0, Math.floor(ms / 60_000));
  if (minutes < 60) return `${minutes}m`;
  if (minutes < 48 * 60) return `${Math.floor(minutes / 60)}h`;
  return `${Math.floor(minutes / 1440)}d`;
}

/** The repository and what this machine's runner data says cleanup must not touch (the CLI cannot ask the hub). */
export async function cliRepoAndKept(repoArg: string, dataDirArg: string | undefined, ctx: CliContext) {
  const repo = (await openRepo(repoArg)).repo;
  const dataDir = runnerDataDir(dataDirArg, ctx, repo);
  return { repo, ...(await localRunBranches(dataDir, repo, { withoutHub: true })) };
}
