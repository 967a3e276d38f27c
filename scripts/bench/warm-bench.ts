import { execFile } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { promisify } from "node:util";
import { canCloneFiles, keepDependencies, openRepo, runGit, seedDependencies, testMergedTree } from "@grove/core/node";
import { makeTempRepo, type TempRepo } from "@grove/core/test-support";
import { measure, ratioLine } from "./measure.ts";

// Generated repositories and local packages only: every install below runs with --offline.
const exec = promisify(execFile);
const env = { PATH: process.env.PATH, HOME: process.env.HOME };
const NPM_INSTALL = "npm install --offline --no-audit --no-fund --loglevel=error";
const TEST = `"${process.execPath}" -e "for (let i = 0; i < 40; i++) require('dep' + i); console.log('ok')"`;

/** `count` source files of a few hundred bytes, committed through fast-import (no checkout of them). */
async function commitSources(repo: TempRepo, count: number): Promise<void> {
  const head = await repo.git(["rev-parse", "HEAD"]);
  const lines = ["commit refs/heads/main", "committer Bench <bench@grove.invalid> 0 +0000", "data 7", "sources", `from ${head}`];
  for (let i = 0; i < count; i++) {
    const text = `export const value${i} = ${i};\n`.repeat(8);
    lines.push(`M 100644 inline src/d${Math.floor(i / 200)}/f${i % 200}.ts`, `data ${Buffer.byteLength(text)}`, text);
  }
  await runGit(["fast-import", "--quiet"], { cwd: repo.dir, input: `${lines.join("\n")}\n\n` });
  await repo.git(["reset", "-q", "--hard"]);
}

/** `count` local packages of 30 files each as tarballs in vendor/, and a package.json + lockfile using them. */
async function addLocalPackages(repo: TempRepo, count: number): Promise<void> {
  const staging = path.join(repo.root, "staging");
  await mkdir(path.join(repo.dir, "vendor"), { recursive: true });
  const dependencies: Record<string, string> = {};
  for (let i = 0; i < count; i++) {
    const pkg = path.join(staging, `dep${i}`, "package");
    await mkdir(path.join(pkg, "lib"), { recursive: true });
    await writeFile(path.join(pkg, "package.json"), JSON.stringify({ name: `dep${i}`, version: "1.0.0", main: "index.js" }));
    await writeFile(path.join(pkg, "index.js"), `module.exports = ${i};\n`);
    for (let f = 0; f < 28; f++) await writeFile(path.join(pkg, "lib", `m${f}.js`), `module.exports = "${"x".repeat(400)}";\n`);
    await exec("tar", ["-czf", path.join(repo.dir, "vendor", `dep${i}-1.0.0.tgz`), "-C", path.dirname(pkg), "package"]);
    dependencies[`dep${i}`] = `file:vendor/dep${i}-1.0.0.tgz`;
  }
  await writeFile(path.join(repo.dir, "package.json"), JSON.stringify({ name: "app", version: "1.0.0", dependencies }, null, 2));
  await writeFile(path.join(repo.dir, ".gitignore"), "node_modules/\n");
  await exec("sh", ["-c", `${NPM_INSTALL} --package-lock-only`], { cwd: repo.dir, env });
  await repo.git(["add", "-A"]);
  await repo.git(["commit", "-q", "-m", "local packages"]);
}

/** A new commit on main that changes one source file: the next candidate to test. */
async function nextCandidate(repo: TempRepo, i: number): Promise<string> {
  await repo.write({ [`src/d0/f${i % 200}.ts`]: `export const changed = ${i};\n` });
  await repo.git(["commit", "-qam", `change ${i}`]);
  return repo.git(["rev-parse", "HEAD"]);
}

/**
 * One merged-tree test (`npm install` from local packages as setup, a test requiring 40 of them) on a
 * repository of `fileCount` files: a warm tree moved to the candidate vs today's fresh checkout + setup.
 */
export async function benchWarmMergeTree(fileCount: number, runs: number): Promise<string> {
  const repo = await makeTempRepo();
  try {
    await commitSources(repo, fileCount);
    await addLocalPackages(repo, 150);
    const run = async (i: number, warm: boolean) => {
      const sha = await nextCandidate(repo, i + (warm ? 100 : 0));
      const started = performance.now();
      const result = await testMergedTree({
        repo: repo.dir,
        sha,
        test: TEST,
        setup: NPM_INSTALL,
        env,
        ...(warm ? { warm: { integration: "main" } } : {}),
      });
      if (result.status !== "passed") throw new Error(`merged-tree test failed: ${result.outputTail}`);
      return performance.now() - started;
    };
    const warm = await measure(async (i) => void (await run(i + 10, true)), runs, 1);
    const fresh = await measure(async (i) => void (await run(i, false)), runs, 0);
    return ratioLine(`merged-tree test, ${fileCount} files, warm vs fresh`, warm.median, fresh.median, 0.25);
  } finally {
    await repo.cleanup();
  }
}

/**
 * An agent worktree's setup: `npm install` after the kept node_modules were copied in vs a plain
 * `npm install`; and pnpm with its shared store warm vs an empty store. Same repository, same run.
 */
export async function benchDependencyReuse(runs: number): Promise<string[]> {
  const repo = await makeTempRepo();
  try {
    await addLocalPackages(repo, 150);
    const ctx = await openRepo(repo.dir);
    // Reuse is on by default only where files clone; measured here either way.
    const clones = await canCloneFiles(repo.root);
    let n = 0;
    const worktree = async () => {
      const wt = path.join(repo.root, `wt-${n++}`);
      await repo.git(["worktree", "add", "-q", "--detach", wt, "HEAD"]);
      return wt;
    };
    const npm = (cwd: string, command = NPM_INSTALL) => exec("sh", ["-c", command], { cwd, env });
    const first = await worktree();
    const seed = await seedDependencies(ctx, first, NPM_INSTALL, { always: true });
    await npm(first);
    if (seed.kind === "missing") await keepDependencies(ctx, first, seed.key);
    const plain = await measure(async () => void (await npm(await worktree())), runs, 0);
    const reused = await measure(
      async () => {
        const wt = await worktree();
        if ((await seedDependencies(ctx, wt, NPM_INSTALL, { always: true })).kind !== "seeded")
          throw new Error("nothing was reused");
        await npm(wt);
      },
      runs,
      0,
    );
    const pnpm = (cwd: string, store: string) => npm(cwd, `pnpm install --offline --silent --store-dir "${store}"`);
    const store = path.join(repo.root, "pnpm-store");
    await pnpm(first, store);
    const cold = await measure(
      async (i) => void (await pnpm(await worktree(), path.join(repo.root, `cold-store-${i}`))),
      runs,
      0,
    );
    const shared = await measure(async () => void (await pnpm(await worktree(), store)), runs, 0);
    return [
      // Reuse has to beat the install it saves; where it cannot clone (default off there) it was measured not to.
      ratioLine(
        `agent setup, npm: node_modules ${clones ? "cloned" : "copied (no clones: off by default)"} vs plain`,
        reused.median,
        plain.median,
        1,
      ),
      ratioLine("agent setup, pnpm: shared store vs empty store", shared.median, cold.median, 1),
    ];
  } finally {
    await repo.cleanup();
  }
}
