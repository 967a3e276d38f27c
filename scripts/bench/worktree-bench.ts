import { execFile } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { promisify } from "node:util";
import { createAgentWorktree, removeAgentWorktree } from "@grove/core/node";
import { makeTempRepo, type TempRepo } from "@grove/core/test-support";
import { measure, ratioLine } from "./measure.ts";

const exec = promisify(execFile);
const rawGit = (cwd: string, args: string[]) => exec("git", args, { cwd });

async function repoWithFiles(count: number): Promise<TempRepo> {
  const repo = await makeTempRepo();
  for (let dir = 0; dir * 500 < count; dir++) {
    await mkdir(path.join(repo.dir, `src/d${dir}`), { recursive: true });
    const files = Array.from({ length: Math.min(500, count - dir * 500) }, (_, i) => i);
    await Promise.all(files.map((i) => writeFile(path.join(repo.dir, `src/d${dir}/f${i}.txt`), `file ${dir}/${i}\n`.repeat(20))));
  }
  await repo.git(["add", "-A"]);
  await repo.git(["commit", "-q", "-m", `${count} files`]);
  return repo;
}

/** Create + remove of one worktree: grove's engine vs raw `git worktree add/remove`, interleaved. */
export async function benchCreateRemove(fileCount: number, runs: number): Promise<string> {
  const repo = await repoWithFiles(fileCount);
  try {
    const grove = await measure(async (i) => {
      const taskId = `g${i + 10}`;
      await createAgentWorktree({ repo: repo.dir, agent: "bench", taskId });
      await removeAgentWorktree({ repo: repo.dir, agent: "bench", taskId, deleteBranch: true });
    }, runs);
    const raw = await measure(async (i) => {
      const wt = path.join(repo.root, `raw-${i + 10}`);
      await rawGit(repo.dir, ["worktree", "add", "-q", "-b", `raw/${i + 10}`, wt, "main"]);
      await rawGit(repo.dir, ["worktree", "remove", wt]);
      await rawGit(repo.dir, ["branch", "-D", `raw/${i + 10}`]);
    }, runs);
    return ratioLine(`create+remove, ${fileCount} files (median of ${runs})`, grove.median, raw.median, 1.25);
  } finally {
    await repo.cleanup();
  }
}

/** Twenty concurrent creates through grove vs twenty sequential raw creates. */
export async function benchConcurrentCreates(fileCount: number): Promise<string> {
  const repo = await repoWithFiles(fileCount);
  try {
    let start = performance.now();
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) => createAgentWorktree({ repo: repo.dir, agent: "par", taskId: `t${i}` })),
    );
    const grove = performance.now() - start;
    const failures = results.filter((r) => r.status === "rejected").length;
    start = performance.now();
    for (let i = 0; i < 20; i++) {
      await rawGit(repo.dir, ["worktree", "add", "-q", "-b", `seq/${i}`, path.join(repo.root, `seq-${i}`), "main"]);
    }
    const raw = performance.now() - start;
    return `${ratioLine(`20 concurrent creates vs 20 sequential, ${fileCount} files`, grove, raw, 1.5)}  failures ${failures}/20`;
  } finally {
    await repo.cleanup();
  }
}
