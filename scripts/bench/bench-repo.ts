import { chmod, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { runGit } from "@grove/core/node";
import { makeTempRepo, scratchDir, type TempRepo } from "@grove/core/test-support";

/**
 * A repository whose main holds `count` files of a few hundred bytes each (src/dN/fM.txt, 500 a folder),
 * committed through `git fast-import`: no file is written to build it, so 40k files take seconds. On a memory
 * file system where there is one: on this shared machine's disk the same 40k-file checkout took 2 to 45 s from
 * one minute to the next, whoever ran it, which drowns what is measured (grove's cost over git's).
 */
export async function repoWithFiles(count: number): Promise<TempRepo> {
  const repo = await makeTempRepo({ parent: await scratchDir() });
  const message = `${count} files`;
  const lines = ["commit refs/heads/main", "committer Bench <bench@grove.invalid> 0 +0000", `data ${message.length}`, message];
  lines.push(`from ${await repo.git(["rev-parse", "main"])}`);
  for (let i = 0; i < count; i++) {
    const content = `file ${i}\n`.repeat(20);
    lines.push(`M 100644 inline src/d${Math.floor(i / 500)}/f${i % 500}.txt`, `data ${Buffer.byteLength(content)}`, content);
  }
  await runGit(["fast-import", "--quiet"], { cwd: repo.dir, input: `${lines.join("\n")}\n\n` });
  await repo.git(["reset", "-q", "--hard", "main"]);
  return repo;
}

/**
 * Counts the git processes `fn` starts (not git's own children): a `git` first on PATH that notes each start and
 * runs the real one. Only for counting; timings are taken without it.
 */
export async function countGitProcesses(fn: () => Promise<void>): Promise<number> {
  const dir = await mkdtemp(path.join(tmpdir(), "grove-bench-git-"));
  const log = path.join(dir, "starts");
  const realGit = (await runGit(["--exec-path"], { cwd: dir })).stdout.trim();
  await writeFile(path.join(dir, "git"), `#!/bin/sh\necho >> '${log}'\nexec '${realGit}/git' "$@"\n`);
  await chmod(path.join(dir, "git"), 0o755);
  const before = process.env.PATH;
  process.env.PATH = `${dir}${path.delimiter}${before ?? ""}`;
  try {
    await fn();
    return (await readFile(log, "utf8").catch(() => "")).split("\n").length - 1;
  } finally {
    process.env.PATH = before;
    await rm(dir, { recursive: true, force: true });
  }
}
