import { execFile } from "node:child_process";
import { readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { makeTempRepo, type TempRepo } from "../test-support/temp-repo.ts";
import { runShellCommand } from "./agent-process.ts";
import { canCloneFiles, keepDependencies, seedDependencies } from "./dependency-cache.ts";
import { openRepo } from "./open-repo.ts";

let repo: TempRepo;
beforeEach(async () => {
  repo = await makeTempRepo({
    files: { ".gitignore": "node_modules/\n", "package.json": '{ "name": "app" }\n', "package-lock.json": '{ "v": 1 }\n' },
  });
});
afterEach(() => repo.cleanup());

// An install as far as grove can tell: it fills node_modules from the lockfile.
const SETUP = `"${process.execPath}" -e "const fs=require('fs');fs.mkdirSync('node_modules/dep',{recursive:true});fs.writeFileSync('node_modules/dep/index.js',fs.readFileSync('package-lock.json','utf8'))"`;

// Copies even where the file system cannot clone (this test's ext4, say): the copy is what is tested here.
const ALWAYS = { always: true };

async function addWorktree(name: string, ref = "HEAD"): Promise<string> {
  const path = join(repo.root, name);
  await repo.git(["worktree", "add", "--detach", "-q", path, ref]);
  return path;
}

async function setUp(worktree: string): Promise<void> {
  const exit = await runShellCommand(SETUP, { cwd: worktree, env: { PATH: process.env.PATH }, onLine: () => undefined });
  expect(exit.exitCode).toBe(0);
}

describe("dependencies reused between agents' worktrees", () => {
  it("are copied into a new worktree with the same lockfile, never shared with the one that wrote them", async () => {
    const ctx = await openRepo(repo.dir);
    const first = await addWorktree("first");
    const seed = await seedDependencies(ctx, first, "npm install", ALWAYS);
    expect(seed.kind).toBe("missing");
    await setUp(first);
    expect(await keepDependencies(ctx, first, seed.kind === "missing" ? seed.key : "")).toEqual(["node_modules"]);
    // The first agent then writes into its own dependencies.
    await writeFile(join(first, "node_modules/dep/index.js"), "changed by an agent");

    const second = await addWorktree("second");
    expect(await seedDependencies(ctx, second, "npm install", ALWAYS)).toMatchObject({
      kind: "seeded",
      folders: ["node_modules"],
    });
    const copied = join(second, "node_modules/dep/index.js");
    expect(await readFile(copied, "utf8")).toBe('{ "v": 1 }\n');
    expect((await stat(copied)).nlink).toBe(1);
    expect(await repo.git(["status", "--porcelain"], { cwd: second })).toBe("");
  });

  it("are not reused for another lockfile, another setup command, pnpm or bun or npm ci", async () => {
    const ctx = await openRepo(repo.dir);
    const first = await addWorktree("first");
    const seed = await seedDependencies(ctx, first, "npm install", ALWAYS);
    await setUp(first);
    await keepDependencies(ctx, first, seed.kind === "missing" ? seed.key : "");

    await repo.write({ "package-lock.json": '{ "v": 2 }\n' });
    await repo.git(["commit", "-qam", "new lockfile"]);
    expect((await seedDependencies(ctx, await addWorktree("relocked"), "npm install", ALWAYS)).kind).toBe("missing");
    expect((await seedDependencies(ctx, await addWorktree("other-setup", "HEAD~1"), "npm install --omit=dev", ALWAYS)).kind).toBe(
      "missing",
    );
    expect(await seedDependencies(ctx, await addWorktree("ci", "HEAD~1"), "npm ci", ALWAYS)).toMatchObject({ kind: "skipped" });
    await repo.write({ "pnpm-lock.yaml": "lockfileVersion: '9.0'\n" });
    await repo.git(["add", "-A"]);
    await repo.git(["commit", "-qm", "pnpm"]);
    expect(await seedDependencies(ctx, await addWorktree("pnpm"), "pnpm install", ALWAYS)).toMatchObject({
      kind: "skipped",
      reason: expect.stringContaining("own shared store") as string,
    });
  });

  it("are copied by default only where the file system clones files, as GNU cp --reflink=always finds", async () => {
    await writeFile(join(repo.root, "probe"), "x");
    const clones = await promisify(execFile)("cp", ["--reflink=always", "probe", "probe.clone"], { cwd: repo.root }).then(
      () => true,
      () => false,
    );
    expect(await canCloneFiles(repo.root)).toBe(clones);
    const seed = await seedDependencies(await openRepo(repo.dir), await addWorktree("first"), "npm install");
    expect(seed.kind).toBe(clones ? "missing" : "skipped");
  });
});
