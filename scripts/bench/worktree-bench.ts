import { execFile } from "node:child_process";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { promisify } from "node:util";
import { createAgentWorktree, removeAgentWorktree, spawnProcess, stopProcessSpawner, useProcessSpawner } from "@grove/core/node";
import { countGitProcesses, repoWithFiles } from "./bench-repo.ts";
import { ratioLine } from "./measure.ts";

const exec = promisify(execFile);
const rawGit = (cwd: string, args: string[]) => exec("git", args, { cwd });

/** Raw git started as grove's runner starts its own, by the process spawner: both sides forked from a small process. */
const rawGitFromSpawner = (cwd: string, args: string[]) =>
  new Promise<void>((resolve, reject) => {
    const env = Object.fromEntries(
      Object.entries(process.env).filter((entry): entry is [string, string] => entry[1] !== undefined),
    );
    spawnProcess(
      { file: "git", args, cwd, env, input: Buffer.alloc(0) },
      {
        onStdout: () => undefined,
        onStderr: () => undefined,
        onEnd: (end) =>
          end.kind === "closed" && end.code === 0
            ? resolve()
            : reject(new Error(`git ${args.join(" ")}: ${JSON.stringify(end)}`)),
      },
    );
  });

const median = (times: number[]) => [...times].sort((a, b) => a - b)[Math.floor(times.length / 2)] ?? 0;
/**
 * The median of each round's own ratio, grove's time over the baseline's in the same round: on a machine whose load
 * changes from one minute to the next, the two sides of a round ran under about the same load. Shown beside the
 * ratio of the medians, which the verdict keeps.
 */
function paired(grove: number[], baseline: number[]): string {
  const ratios = grove.map((time, i) => time / (baseline[i] ?? Number.NaN));
  return `paired ${median(ratios).toFixed(2)}× (${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)})`;
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

/**
 * One worktree added, then removed (with its branch), on the same repository: grove's engine
 * (createAgentWorktree / removeAgentWorktree with deleteBranch) against raw `git worktree add -b` and
 * `git worktree remove` + `git branch -D`. One warm-up round of each, not counted; then `runs` rounds in which the
 * side that goes first alternates, so that neither is always the one that finds the caches warm. Medians; add and
 * remove are reported apart, with the git processes each side starts itself (git's own children not counted).
 */
export async function benchAddRemove(fileCount: number, runs: number, goal: number): Promise<string[]> {
  const repo = await repoWithFiles(fileCount);
  const times = { groveAdd: [] as number[], rawAdd: [] as number[], groveRemove: [] as number[], rawRemove: [] as number[] };
  try {
    const groveAdd = (taskId: string) => createAgentWorktree({ repo: repo.dir, agent: "bench", taskId });
    const groveRemove = (taskId: string) => removeAgentWorktree({ repo: repo.dir, agent: "bench", taskId, deleteBranch: true });
    const rawAdd = (i: string) =>
      rawGit(repo.dir, ["worktree", "add", "-q", "-b", `raw/${i}`, path.join(repo.root, `raw-${i}`), "main"]);
    const rawRemove = async (i: string) => {
      await rawGit(repo.dir, ["worktree", "remove", path.join(repo.root, `raw-${i}`)]);
      await rawGit(repo.dir, ["branch", "-D", `raw/${i}`]);
    };
    const processes = {
      groveAdd: await countGitProcesses(async () => void (await groveAdd("count"))),
      groveRemove: await countGitProcesses(async () => void (await groveRemove("count"))),
      rawAdd: await countGitProcesses(async () => void (await rawAdd("count"))),
      rawRemove: await countGitProcesses(() => rawRemove("count")),
    };
    for (let i = -1; i < runs; i++) {
      const name = `r${i + 1}`;
      const grove = async (): Promise<[number, number]> => [
        await timed(() => groveAdd(name)),
        await timed(() => groveRemove(name)),
      ];
      const raw = async (): Promise<[number, number]> => [await timed(() => rawAdd(name)), await timed(() => rawRemove(name))];
      let [ga, gr, ra, rr] = [0, 0, 0, 0];
      if (i % 2 === 0) {
        [ga, gr] = await grove();
        [ra, rr] = await raw();
      } else {
        [ra, rr] = await raw();
        [ga, gr] = await grove();
      }
      if (i < 0) continue;
      times.groveAdd.push(ga);
      times.rawAdd.push(ra);
      times.groveRemove.push(gr);
      times.rawRemove.push(rr);
    }
    const label = (what: string) => `${what}, ${fileCount / 1000}k files (median of ${runs})`;
    return [
      `${ratioLine(label("add"), median(times.groveAdd), median(times.rawAdd), goal)}  ${paired(times.groveAdd, times.rawAdd)}  git processes ${processes.groveAdd} (raw ${processes.rawAdd})`,
      `${ratioLine(label("remove"), median(times.groveRemove), median(times.rawRemove), goal)}  ${paired(times.groveRemove, times.rawRemove)}  git processes ${processes.groveRemove} (raw ${processes.rawRemove})`,
    ];
  } finally {
    await repo.cleanup();
  }
}

/**
 * Twenty concurrent grove adds against twenty sequential raw `git worktree add -b`, on the same repository:
 * `rounds` rounds, the side that goes first alternating, every worktree and branch of a round removed again (not
 * timed) before the next, after one warm-up add of each side. Medians of the rounds.
 */
export async function benchConcurrentAdds(fileCount: number, rounds: number): Promise<string> {
  const repo = await repoWithFiles(fileCount);
  // Twenty agents' worktrees are added by the runner, which starts git from its process spawner.
  useProcessSpawner();
  try {
    const rawAdd = (name: string) =>
      rawGitFromSpawner(repo.dir, ["worktree", "add", "-q", "-b", `seq/${name}`, path.join(repo.root, `seq-${name}`), "main"]);
    const groveAdd = (name: string) => createAgentWorktree({ repo: repo.dir, agent: "par", taskId: name });
    await rawAdd("warm");
    await groveAdd("warm");
    await removeAllWorktrees(repo.dir);
    const times = { grove: [] as number[], raw: [] as number[] };
    let failures = 0;
    for (let round = 0; round < rounds; round++) {
      const names = Array.from({ length: 20 }, (_, i) => `r${round}-${i}`);
      const raw = async () =>
        times.raw.push(
          await timed(async () => {
            for (const name of names) await rawAdd(name);
          }),
        );
      const grove = async () =>
        times.grove.push(
          await timed(async () => {
            const results = await Promise.allSettled(names.map(groveAdd));
            failures += results.filter((r) => r.status === "rejected").length;
          }),
        );
      if (round % 2 === 0) await raw().then(grove);
      else await grove().then(raw);
      await removeAllWorktrees(repo.dir);
    }
    const label = `20 concurrent adds vs 20 sequential, ${fileCount / 1000}k files (median of ${rounds})`;
    return `${ratioLine(label, median(times.grove), median(times.raw), 1.0)}  ${paired(times.grove, times.raw)}  failures ${failures}/${20 * rounds}`;
  } finally {
    stopProcessSpawner();
    await repo.cleanup();
  }
}

/** Removes every linked worktree and every branch but main with raw git: the clean-up between rounds. */
async function removeAllWorktrees(dir: string): Promise<void> {
  const { stdout } = await rawGit(dir, ["worktree", "list", "--porcelain", "-z"]);
  const paths = stdout
    .split("\0")
    .filter((line) => line.startsWith("worktree "))
    .map((line) => line.slice("worktree ".length))
    .slice(1);
  for (const worktree of paths) await rawGit(dir, ["worktree", "remove", "--force", "--force", worktree]);
  const { stdout: branches } = await rawGit(dir, ["for-each-ref", "--format=%(refname:short)", "refs/heads/"]);
  const others = branches.split("\n").filter((name) => name !== "" && name !== "main");
  if (others.length > 0) await rawGit(dir, ["branch", "-D", ...others]);
}

/** `count` grove adds at once, then `count` removes at once: wall times and failures. */
export async function benchParallelAddRemove(fileCount: number, count: number): Promise<string> {
  const repo = await repoWithFiles(fileCount);
  try {
    const taskIds = Array.from({ length: count }, (_, i) => `p${i}`);
    let start = performance.now();
    const added = await Promise.allSettled(
      taskIds.map((taskId) => createAgentWorktree({ repo: repo.dir, agent: "par", taskId })),
    );
    const addMs = performance.now() - start;
    start = performance.now();
    const removed = await Promise.allSettled(
      taskIds.map((taskId) => removeAgentWorktree({ repo: repo.dir, agent: "par", taskId, deleteBranch: true })),
    );
    const removeMs = performance.now() - start;
    const failed = (outcomes: PromiseSettledResult<unknown>[]) => outcomes.filter((o) => o.status === "rejected").length;
    return (
      `${`${count} parallel adds, then removes, ${fileCount / 1000}k files`.padEnd(44)} adds ${(addMs / 1000).toFixed(1)} s, ` +
      `failures ${failed(added)}/${count}; removes ${(removeMs / 1000).toFixed(1)} s, failures ${failed(removed)}/${count} (goal 0)`
    );
  } finally {
    await repo.cleanup();
  }
}
