import { readdir, readFile, stat } from "node:fs/promises";
import { hostname } from "node:os";
import { basename, isAbsolute, join, resolve } from "node:path";
import type { RepoFacts, WorktreeFacts } from "../worktree/doctor-findings.ts";
import { mergedAgentBranches } from "./cleanup-agent-worktrees.ts";
import { listWorktrees } from "./list-worktrees.ts";
import type { RepoContext } from "./open-repo.ts";
import { isInside, listProcesses, type ProcessEntry } from "./process-table.ts";
import { branchSha } from "./refs.ts";
import { isPidAlive } from "./lock-file.ts";
import { runGit } from "./run-git.ts";
import { SET_UP_LOCK, SET_UP_PENDING_FILE, worktreeGitDir } from "./set-up-worktree.ts";
import { worktreeStatus } from "./worktree-status.ts";
import { listAbandonedTrash } from "./worktree-trash.ts";

/** Everything `grove doctor` judges, observed without changing anything. */
export async function collectRepoFacts(ctx: RepoContext): Promise<RepoFacts> {
  const worktrees = await listWorktrees(ctx.repo);
  // After this call's own git ended: a git it runs must not count as "a git process is running" for its lock files.
  const processes = await listProcesses();
  const integration = ctx.config.integration;
  const merged = (await branchSha(ctx.repo, integration)) === null ? [] : await mergedWithHistory(ctx.repo, integration);
  const mergedNames = new Set(merged.map((m) => m.branch));

  const facts: WorktreeFacts[] = [];
  for (const w of worktrees) {
    const isMissing = w.prunable !== null || (await stat(w.path).catch(() => null)) === null;
    const live = isMissing ? [] : livePidsIn(w.path, w.locked, processes);
    const needsStatus = !isMissing && !w.bare && w.branch !== null && mergedNames.has(w.branch);
    facts.push({
      ...w,
      isMissing,
      liveProcessPids: live,
      lastActivityMs: !isMissing && !w.bare ? await lastActivity(w.path) : null,
      isClean: needsStatus ? (await worktreeStatus(w.path)).length === 0 : null,
      setUpPendingSince: !isMissing && !w.bare ? await abandonedSetUpSince(w.path) : null,
    });
  }

  const roots = [ctx.commonDir, ...facts.filter((w) => !w.isMissing).map((w) => w.path)];
  const liveGitPids =
    processes === null
      ? null
      : processes
          .filter((p) => p.command.startsWith("git") && p.cwd !== null && roots.some((root) => isInside(p.cwd ?? "", root)))
          .map((p) => p.pid);

  const gonePaths = facts.filter((w) => w.isMissing).map((w) => w.path);
  const orphans = (processes ?? []).flatMap((p) =>
    p.cwdDeleted && p.cwd !== null && gonePaths.some((gone) => isInside(p.cwd ?? "", gone))
      ? [{ pid: p.pid, command: p.command, cwd: p.cwd }]
      : [],
  );

  return {
    integration,
    worktrees: facts,
    lockFiles: await findGitLockFiles(ctx.commonDir),
    liveGitPids,
    groveLock: await readGroveLock(ctx.commonDir),
    mergedAgentBranches: merged,
    orphans,
    leftoverTrash: await listAbandonedTrash(ctx.commonDir),
  };
}

/**
 * Merged agent branches, telling a branch merged with its own commits from one just created: the head
 * of a fresh branch lies on the integration branch's first-parent line, a merged one's does not.
 */
async function mergedWithHistory(repo: string, integration: string): Promise<RepoFacts["mergedAgentBranches"]> {
  const merged = await mergedAgentBranches(repo, integration);
  if (merged.length === 0) return [];
  const { stdout } = await runGit(["rev-list", "--first-parent", `refs/heads/${integration}`, "--"], { cwd: repo });
  const mainLine = new Set(stdout.split("\n"));
  return merged.map((m) => ({ ...m, hasOwnCommits: !mainLine.has(m.sha) }));
}

function livePidsIn(path: string, lockReason: string | null, processes: ProcessEntry[] | null): number[] {
  const pids = (processes ?? []).filter((p) => !p.cwdDeleted && p.cwd !== null && isInside(p.cwd, path)).map((p) => p.pid);
  // A lock reason may name its agent's pid ("… pid 1234"); that pid counts even when it runs elsewhere.
  const named = lockReason === null ? null : /\bpid[ =:]?(\d+)/.exec(lockReason);
  if (named?.[1] && isPidAlive(Number(named[1]))) pids.push(Number(named[1]));
  return pids;
}

/** Latest change to the worktree's git state (index, HEAD, reflog) or to its top folder. */
export async function lastActivity(path: string): Promise<number | null> {
  const gitFile = await readFile(join(path, ".git"), "utf8").catch(() => null);
  const gitDirLine = gitFile === null ? null : /^gitdir: (.+)$/m.exec(gitFile)?.[1]?.trim();
  const gitDir = gitDirLine ? (isAbsolute(gitDirLine) ? gitDirLine : resolve(path, gitDirLine)) : join(path, ".git");
  const candidates = [path, join(gitDir, "index"), join(gitDir, "HEAD"), join(gitDir, "logs", "HEAD")];
  const times = await Promise.all(
    candidates.map((file) =>
      stat(file).then(
        (s) => s.mtimeMs,
        () => null,
      ),
    ),
  );
  const known = times.filter((t): t is number => t !== null);
  return known.length === 0 ? null : Math.max(...known);
}

/** git's own lock files: index/config/HEAD/packed-refs in the common dir, per-worktree ones, and ref locks. */
async function findGitLockFiles(commonDir: string): Promise<{ path: string; ageMs: number }[]> {
  const now = Date.now();
  const found: string[] = [];
  const top = await readdir(commonDir).catch(() => []);
  for (const name of top) if (name.endsWith(".lock") && name !== "grove.lock") found.push(join(commonDir, name));
  for (const id of await readdir(join(commonDir, "worktrees")).catch(() => [])) {
    for (const name of await readdir(join(commonDir, "worktrees", id)).catch(() => [])) {
      if (name.endsWith(".lock")) found.push(join(commonDir, "worktrees", id, name));
    }
  }
  const refs = await readdir(join(commonDir, "refs"), { recursive: true }).catch(() => []);
  for (const name of refs) if (name.endsWith(".lock")) found.push(join(commonDir, "refs", name));
  const withAge = await Promise.all(
    found.map(async (path) => {
      // grove's own lock files (a worktree's set-up lock) name their holder: one a live process holds is not stale,
      // however long it has been held without a git process running (a large .worktreeinclude copy, say).
      if (basename(path).startsWith("grove") && (await readLockHolder(path))?.isAlive) return null;
      return stat(path).then(
        (s) => ({ path, ageMs: now - s.mtimeMs }),
        () => null,
      );
    }),
  );
  return withAge.filter((entry): entry is { path: string; ageMs: number } => entry !== null);
}

async function readGroveLock(commonDir: string): Promise<RepoFacts["groveLock"]> {
  return readLockHolder(join(commonDir, "grove.lock"));
}

/** A lock file's holder (`{ pid, host }` in JSON); null when there is no such file or it says no pid. */
async function readLockHolder(path: string): Promise<{ path: string; pid: number; isAlive: boolean } | null> {
  const text = await readFile(path, "utf8").catch(() => null);
  if (text === null) return null;
  try {
    const record: unknown = JSON.parse(text);
    if (typeof record !== "object" || record === null || !("pid" in record) || typeof record.pid !== "number") return null;
    const host = "host" in record && typeof record.host === "string" ? record.host : hostname();
    return { path, pid: record.pid, isAlive: host !== hostname() || isPidAlive(record.pid) };
  } catch {
    return null;
  }
}

/**
 * When grove marked the worktree as not set up yet, if it still is and no live process holds its set-up lock:
 * the add (its checkout, submodules, `.worktreeinclude` files) was stopped before it finished.
 */
async function abandonedSetUpSince(path: string): Promise<number | null> {
  const gitDir = await worktreeGitDir(path).catch(() => null);
  if (gitDir === null) return null;
  const pending = await stat(join(gitDir, SET_UP_PENDING_FILE)).catch(() => null);
  if (pending === null) return null;
  const holder = await readLockHolder(join(gitDir, SET_UP_LOCK));
  return holder?.isAlive ? null : pending.mtimeMs;
}
