import { agentBranch, DomainError, parseAgentBranch, parseDuration, type LeftoverWork } from "@grove/core";
import {
  cleanupAgentWorktrees,
  cleanUpLeftoverWork,
  listLeftoverWork,
  listWarmMergeTrees,
  removeWarmMergeTrees,
} from "@grove/core/node";
import type { CliContext } from "./cli-context.ts";
import { cliRepoAndKept, formatLeftovers } from "./leftover-table.ts";
import { parseFlags, repoPath, REPO_FLAGS } from "./parse-flags.ts";

const USAGE = "grove cleanup [<branch>… | --older-than 7d | --warm-trees] [--dry-run] [--repo PATH] [--data-dir DIR] [--json]";

const HELP = `usage: ${USAGE}

Without arguments: removes clean, unlocked agent worktrees, deletes agent/* branches merged into the
integration branch, and prunes. Locked or dirty worktrees and unmerged branches are kept and listed.

With branch names (agent/<agent>/<task> or <agent>/<task>) or --older-than (m, h, d, w): the worktrees and
branches of ended runs that never landed (failed, cancelled, rejected, blocked). Each is kept first under
refs/grove/archive/ (its commits, and its uncommitted work as a snapshot commit; \`grove archive restore\`
brings it back), then removed. A live run's branch, a locked worktree and a waiting merge request's branch
are never touched. --dry-run lists what would be cleaned up.

With --warm-trees: removes the warm merge trees kept for merged-tree tests (with the dependencies their
setup installed) that no merge is being tested in; the next merge makes them again.`;

export async function cleanupCommand(args: string[], ctx: CliContext): Promise<number> {
  const { values, positionals } = parseFlags(USAGE, args, {
    ...REPO_FLAGS,
    "dry-run": { type: "boolean" },
    "older-than": { type: "string" },
    "data-dir": { type: "string" },
    "warm-trees": { type: "boolean" },
  });
  if (values.help) {
    ctx.out(HELP);
    return 0;
  }
  if (values["warm-trees"]) return cleanWarmTrees(repoPath(values, ctx.cwd), values, ctx);
  const olderThan = values["older-than"];
  const olderThanMs = olderThan === undefined ? null : parseDuration(olderThan);
  if (olderThan !== undefined && olderThanMs === null)
    throw new DomainError("INVALID_INPUT", `--older-than takes a duration such as 30m, 12h, 7d or 2w\nusage: ${USAGE}`);
  if (olderThanMs === null && positionals.length === 0 && !values["dry-run"]) return cleanMerged(values, ctx);

  const { repo, ended, keep } = await cliRepoAndKept(repoPath(values, ctx.cwd), values["data-dir"], ctx);
  const now = Date.now();
  const names = positionals.map(agentBranchOf);
  const leftovers = (await listLeftoverWork({ repo, ended, keep })).filter(
    (l) => (names.length === 0 || names.includes(l.branch)) && (olderThanMs === null || now - l.lastActivityAt >= olderThanMs),
  );
  if (values["dry-run"]) return dryRun(leftovers, values.json === true, now, ctx);

  // Names alone: each one is answered, cleaned or refused with why. With --older-than: what the filter kept.
  const branches = names.length > 0 && olderThanMs === null ? names : leftovers.map((l) => l.branch);
  if (branches.length === 0) {
    ctx.out(values.json ? JSON.stringify({ cleaned: [], refused: [] }) : "Nothing to clean up.");
    return 0;
  }
  const answer = await cleanUpLeftoverWork({ repo, ended, keep, branches });
  if (values.json) ctx.out(JSON.stringify(answer));
  else {
    const lines = [
      ...answer.cleaned.map((c) => `Cleaned up ${c.branch}${c.path ? ` and ${c.path}` : ""}; kept as ${c.snapshotRef}`),
      ...answer.refused.map((r) => `Left ${r.branch}: ${r.reason}`),
    ];
    ctx.out(lines.join("\n"));
  }
  return answer.refused.length === 0 ? 0 : 1;
}

function dryRun(leftovers: LeftoverWork[], json: boolean, now: number, ctx: CliContext): number {
  if (json) ctx.out(JSON.stringify(leftovers));
  else if (leftovers.length === 0) ctx.out("No worktrees or branches of ended runs to clean up.");
  else ctx.out(`Would keep each under refs/grove/archive/, then remove:\n${formatLeftovers(leftovers, now)}`);
  return 0;
}

async function cleanMerged(values: { repo?: string; json?: boolean }, ctx: CliContext): Promise<number> {
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

async function cleanWarmTrees(repo: string, values: { "dry-run"?: boolean; json?: boolean }, ctx: CliContext): Promise<number> {
  const trees = await listWarmMergeTrees(repo, { size: "measure" });
  const removed = values["dry-run"] ? [] : await removeWarmMergeTrees(repo);
  if (values.json) {
    ctx.out(JSON.stringify({ trees, removed }));
    return 0;
  }
  const lines = trees.map((tree) => {
    const size = `${((tree.sizeBytes ?? 0) / 1_048_576).toFixed(1)} MB`;
    const what = removed.includes(tree.path) ? "Removed" : tree.isInUse ? "Kept (a merge is being tested in it)" : "Would remove";
    return `${what} ${tree.path} (${tree.integration}, ${size})`;
  });
  ctx.out(lines.length > 0 ? lines.join("\n") : "No warm merge trees.");
  return 0;
}

/** agent/<agent>/<task> or <agent>/<task> as its branch; anything else (the integration branch, say) is refused. */
function agentBranchOf(name: string): string {
  const parsed = parseAgentBranch(name.startsWith("agent/") ? name : `agent/${name}`);
  if (!parsed)
    throw new DomainError(
      "INVALID_INPUT",
      `"${name.slice(0, 200)}" is not an agent branch (agent/<agent>/<task> or <agent>/<task>)\nusage: ${USAGE}`,
    );
  return agentBranch(parsed.agent, parsed.taskId);
}
