import {
  AgentsCheckRequestSchema,
  MAX_AGENT_CHECKS,
  BrainFileRequestSchema,
  BrainListRequestSchema,
  CleanupRequestSchema,
  DoctorRequestSchema,
  MAX_BRAIN_FILE_CHARS,
  cutToJsonBytes,
  fitsSocketMessage,
  MAX_QUERY_DIFF_BYTES,
  MAX_QUERY_DIFF_STAT_BYTES,
  RepoDiffRequestSchema,
  RepoInfoRequestSchema,
  type BrainFileAnswer,
  type BrainListAnswer,
  type KeptBranch,
  type QueryAck,
  type RepoDiffAnswer,
  type RepoInfoAnswer,
  describeError,
} from "@grove/core";
import { cleanUpLeftoverWork, measureDiskLedger, runDoctor, runGit, type RepoContext } from "@grove/core/node";
import { z } from "zod";
import { BUILT_IN_PROFILES } from "../launch/agent-profiles.ts";
import { checkAgents } from "../launch/check-agents.ts";
import { type RunnerSocket } from "./hub-socket.ts";
import type { Logger } from "../logger.ts";
import { logCommits, parseTree } from "./git-history.ts";
import { localRunBranches } from "../run/kept-branches.ts";

export type RunnerQueryDeps = { findRepo(path: string): Promise<RepoContext | null>; log: Logger; dataDir: string };

/**
 * Answers the hub's questions about a served repository: read-only, except `doctor:run` with fix (only safe
 * fixes) and `leftovers:clean` (snapshots before it removes).
 */
export function registerRunnerQueries(socket: RunnerSocket, deps: RunnerQueryDeps): void {
  const runsOf = async (repo: RepoContext, hub: { ended: string[]; keep: KeptBranch[] }) => {
    const local = await localRunBranches(deps.dataDir, repo.repo, { withoutHub: false });
    return { ended: [...hub.ended, ...local.ended], keep: [...hub.keep, ...local.keep] };
  };
  const answer = <S extends z.ZodType<{ repoPath: string }>, T>(
    schema: S,
    compute: (repo: RepoContext, req: z.infer<S>) => Promise<T>,
  ) => {
    return (payload: unknown, ack: (res: QueryAck<T>) => void) => {
      const reply = typeof ack === "function" ? ack : () => undefined;
      const parsed = schema.safeParse(payload);
      if (!parsed.success) return reply({ ok: false, error: `invalid request:\n${z.prettifyError(parsed.error)}` });
      const req = parsed.data;
      void deps
        .findRepo(req.repoPath)
        .then(async (repo) => {
          if (!repo) return reply({ ok: false, error: `this runner does not serve ${req.repoPath}` });
          const answer: QueryAck<T> = { ok: true, data: await compute(repo, req) };
          // A message larger than the hub reads would cost this connection, and the hub would only ask again.
          reply(
            fitsSocketMessage([answer])
              ? answer
              : { ok: false, error: "the answer is larger than the hub accepts in one message" },
          );
        })
        .catch((error: unknown) => {
          deps.log(`query failed: ${describeError(error)}`);
          reply({ ok: false, error: describeError(error) });
        });
    };
  };

  socket.on(
    "repo:info",
    answer(RepoInfoRequestSchema, (repo) => Promise.resolve(repoInfo(repo))),
  );
  socket.on(
    "brain:list",
    answer(BrainListRequestSchema, (repo) => brainList(repo)),
  );
  socket.on(
    "brain:file",
    answer(BrainFileRequestSchema, (repo, req) => brainFile(repo, req.path)),
  );
  socket.on(
    "repo:diff",
    answer(RepoDiffRequestSchema, (repo, req) => repoDiff(repo, req.base, req.head)),
  );
  socket.on(
    "doctor:run",
    answer(DoctorRequestSchema, async (repo, req) => {
      if (req.fix) deps.log(`applying the safe doctor fixes in ${repo.repo} (asked by the hub)`);
      const [report, disk] = await Promise.all([
        runDoctor({ repo: repo.repo, fix: req.fix, runs: await runsOf(repo, req) }),
        // The ledger is an extra: a repository it cannot measure still gets its doctor report.
        measureDiskLedger(repo.repo).catch((error: unknown) => {
          deps.log(`cannot measure the worktrees' disk in ${repo.repo}: ${describeError(error)}`);
          return undefined;
        }),
      ]);
      return { ...report, disk };
    }),
  );
  // The hub names what its live runs and waiting requests hold; this runner adds its own live runs.
  socket.on(
    "leftovers:clean",
    answer(CleanupRequestSchema, async (repo, req) => {
      deps.log(`cleaning up ${req.branches.length} leftover branch(es) in ${repo.repo} (asked by the hub)`);
      return cleanUpLeftoverWork({ repo: repo.repo, branches: req.branches, ...(await runsOf(repo, req)) });
    }),
  );
  // As `grove agents check` on this machine: the PATH is the one this runner's agents get.
  socket.on(
    "agents:check",
    answer(AgentsCheckRequestSchema, async (repo) => ({
      checks: (await checkAgents(repo.config, { env: process.env, cwd: repo.repo })).slice(0, MAX_AGENT_CHECKS),
    })),
  );
}

function repoInfo(repo: RepoContext): RepoInfoAnswer {
  const profiles = [...new Set([...Object.keys(BUILT_IN_PROFILES), ...Object.keys(repo.config.agents)])].sort();
  return {
    repoPath: repo.repo,
    integration: repo.config.integration,
    brain: repo.config.brain,
    test: repo.config.test ?? null,
    profiles,
  };
}

async function hasRef(repo: RepoContext, ref: string): Promise<boolean> {
  const probe = await runGit(["rev-parse", "--verify", "--quiet", `${ref}^{commit}`], {
    cwd: repo.repo,
    okExitCodes: [0, 1, 128],
  });
  return probe.exitCode === 0;
}

async function brainList(repo: RepoContext): Promise<BrainListAnswer> {
  const ref = repo.config.integration;
  const folder = repo.config.brain.replace(/\/+$/, "");
  if (!(await hasRef(repo, ref))) return { folder, ref, files: [] };
  const tree = await runGit(["ls-tree", "-r", "-l", "-z", "--full-tree", ref, "--", folder], { cwd: repo.repo });
  const entries = parseTree(tree.stdout).slice(0, 2000);
  const commits = await logCommits(repo.repo, ref, folder, 2000, true);
  const lastBy = new Map<string, (typeof commits)[number]>();
  for (const commit of commits) for (const file of commit.files) if (!lastBy.has(file)) lastBy.set(file, commit);
  return {
    folder,
    ref,
    files: entries.map((e) => {
      const commit = lastBy.get(e.path);
      return { path: e.path, size: e.size, lastCommit: commit ? withoutFiles(commit) : null };
    }),
  };
}

async function brainFile(repo: RepoContext, path: string): Promise<BrainFileAnswer> {
  const ref = repo.config.integration;
  const folder = repo.config.brain.replace(/\/+$/, "");
  if (!path.startsWith(`${folder}/`)) throw new Error(`${path} is not inside the brain folder ${folder}/`);
  const blob = await runGit(["cat-file", "blob", `${ref}:${path}`], { cwd: repo.repo, okExitCodes: [0, 128] });
  if (blob.exitCode !== 0) throw new Error(`${path} does not exist on ${ref}`);
  const history = await logCommits(repo.repo, ref, path, 500, false);
  return {
    path,
    ref,
    content: blob.stdout.slice(0, MAX_BRAIN_FILE_CHARS),
    isTruncated: blob.stdout.length > MAX_BRAIN_FILE_CHARS,
    history: history.map(withoutFiles),
  };
}

async function repoDiff(repo: RepoContext, base: string, head: string): Promise<RepoDiffAnswer> {
  const stat = await runGit(["diff", "--no-color", "--no-ext-diff", "--stat=160", base, head, "--"], { cwd: repo.repo });
  const patch = await runGit(["diff", "--no-color", "--no-ext-diff", "--no-textconv", base, head, "--"], { cwd: repo.repo });
  // Cut in bytes on the wire: a million characters of CJK or control characters would be 3 to 6 MB.
  const cutStat = cutToJsonBytes(stat.stdout, MAX_QUERY_DIFF_STAT_BYTES);
  const cutPatch = cutToJsonBytes(patch.stdout, MAX_QUERY_DIFF_BYTES);
  return { stat: cutStat.text, patch: cutPatch.text, isTruncated: cutPatch.isCut || cutStat.isCut };
}

function withoutFiles<T extends { files: string[] }>(commit: T): Omit<T, "files"> {
  const { files: _files, ...rest } = commit;
  return rest;
}
