import { isInBrainDir, normalizeBrainDir } from "../merge/brain-policy.ts";
import { computeOverlaps } from "../merge/overlap.ts";
import { MAX_RADAR_FILES, type BranchRadar } from "../schemas/merge.ts";
import { predictMerge } from "./build-merge-commit.ts";
import { branchChangedFiles } from "./branch-files.ts";
import { listWorktrees } from "./list-worktrees.ts";
import { branchSha } from "./refs.ts";
import { runGit } from "./run-git.ts";
import { worktreeStatus } from "./worktree-status.ts";

export type RadarScan = { integrationSha: string | null; branches: BranchRadar[] };
/**
 * Remembers, by `<integration sha>:<head sha>`, what never changes for that pair: the merge-tree prediction
 * and the branch's committed files. A rescan then spends git processes only on what moved (each spawn
 * blocks the caller's event loop for milliseconds, and the runner's log pipeline shares it).
 */
export type PredictionCache = Map<string, { conflicts: string[]; base: string | null; files: string[] }>;

/**
 * The overlap radar's view of a repository: every `agent/*` branch with what it changes (committed, and
 * uncommitted in its worktree while the agent works), the conflicts `git merge-tree` predicts against the
 * current integration head, its writes into the brain folder, and the files other agent branches also change.
 * Read-only: it touches no ref, index or working tree.
 */
export async function scanAgentBranches(input: {
  repo: string;
  integration: string;
  brain: string;
  cache?: PredictionCache;
}): Promise<RadarScan> {
  const brainDir = normalizeBrainDir(input.brain);
  const cache: PredictionCache = input.cache ?? (new Map() as PredictionCache);
  const integrationSha = await branchSha(input.repo, input.integration);
  const refs = await runGit(["for-each-ref", "--format=%(refname:strip=2)%00%(objectname)", "refs/heads/agent/"], {
    cwd: input.repo,
  });
  const worktrees = await listWorktrees(input.repo);

  const heads = refs.stdout
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => {
      const [branch = "", headSha = ""] = line.split("\0");
      return { branch, headSha };
    });

  const used = new Set<string>();
  const scanned = await mapLimit(heads, 4, async ({ branch, headSha }) => {
    const worktree = worktrees.find((w) => w.branch === branch && w.prunable === null);
    let known: { conflicts: string[]; base: string | null; files: string[] } | null = null;
    if (integrationSha) {
      const key = `${integrationSha}:${headSha}`;
      used.add(key);
      known = cache.get(key) ?? null;
      if (!known) {
        const { base, files } = await branchChangedFiles(input.repo, integrationSha, headSha);
        known = { conflicts: (await predictMerge(input.repo, integrationSha, headSha)).conflicted, base, files };
        cache.set(key, known);
      }
    }
    const { base, files, conflicts } = known ?? { base: null, files: [], conflicts: null };
    const working = worktree ? (await worktreeStatus(worktree.path).catch(() => [])).map((entry) => entry.path) : [];
    const touched = [...new Set([...files, ...working])];
    return {
      branch,
      headSha,
      baseSha: base,
      live: worktree?.locked != null,
      files: files.slice(0, MAX_RADAR_FILES),
      workingFiles: working.slice(0, MAX_RADAR_FILES),
      truncated: files.length > MAX_RADAR_FILES || working.length > MAX_RADAR_FILES,
      conflicts: conflicts?.slice(0, MAX_RADAR_FILES) ?? null,
      brainFiles: touched.filter((file) => isInBrainDir(file, brainDir)).slice(0, MAX_RADAR_FILES),
      touched,
    };
  });

  for (const key of cache.keys()) if (!used.has(key)) cache.delete(key);
  const overlaps = computeOverlaps(scanned.map((s) => ({ branch: s.branch, files: s.touched })));
  const branches = scanned.map(({ touched: _touched, ...rest }) => ({
    ...rest,
    overlaps: (overlaps.get(rest.branch) ?? []).slice(0, MAX_RADAR_FILES),
  }));
  return { integrationSha, branches };
}

async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      const item = items[index];
      if (item !== undefined) results[index] = await fn(item);
    }
  });
  await Promise.all(workers);
  return results;
}
