import fc from "fast-check";
import { chown, mkdir, realpath, rm, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fuzzParameters } from "../test-support/fuzz.ts";
import { makeTempRepo, type TempRepo } from "../test-support/temp-repo.ts";
import { commonDirOnDisk } from "./common-dir-on-disk.ts";
import { locateRepo } from "./open-repo.ts";
import { runGit } from "./run-git.ts";

/** What git itself names as the common dir of `start`, or null when it finds no repository there. */
async function gitCommonDir(start: string): Promise<string | null> {
  const probe = await runGit(["rev-parse", "--path-format=absolute", "--git-common-dir"], { cwd: start, okExitCodes: [0, 128] });
  return probe.exitCode === 0 ? realpath(probe.stdout.trim()) : null;
}

const SHA = "0123456789abcdef0123456789abcdef01234567";
type Entry = "folder" | "file" | "none";
type Head = { kind: "file"; text: string } | { kind: "none" | "folder" } | { kind: "symlink"; target: string };
type Shape = { head: Head; objects: Entry; refs: Entry; commondir: boolean; gitIsFile: boolean };

const REPOSITORY: Shape = {
  head: { kind: "file", text: "ref: refs/heads/main\n" },
  objects: "folder",
  refs: "folder",
  commondir: false,
  gitIsFile: false,
};
const headTexts = [
  "ref:refs/heads/x",
  "ref: \t\r\n refs/heads/x\n",
  "ref:\frefs/heads/x\n",
  "ref:\vrefs/heads/x\n",
  "ref: heads/main\n",
  "ref: refs",
  `${SHA}\n`,
  SHA,
  `${SHA}ffff\n`,
  SHA.toUpperCase(),
  SHA.slice(1),
  "",
  "not a head\n",
  ` ${SHA}`,
];
/** One way each in which a `.git` folder can differ from a repository's (or not matter). */
const defects: Partial<Shape>[] = [
  ...headTexts.map((text) => ({ head: { kind: "file" as const, text } })),
  { head: { kind: "none" } },
  { head: { kind: "folder" } },
  ...["refs/heads/main", "heads/main", "refs"].map((target) => ({ head: { kind: "symlink" as const, target } })),
  ...(["file", "none"] as const).flatMap((entry) => [{ objects: entry }, { refs: entry }]),
  { commondir: true },
  { gitIsFile: true },
];

async function build(inner: string, s: Shape): Promise<void> {
  await rm(inner, { recursive: true, force: true });
  const gitDir = join(inner, ".git");
  await mkdir(inner);
  if (s.gitIsFile) return writeFile(gitDir, "not a gitfile\n");
  await mkdir(gitDir);
  if (s.head.kind === "file") await writeFile(join(gitDir, "HEAD"), s.head.text);
  if (s.head.kind === "folder") await mkdir(join(gitDir, "HEAD"));
  if (s.head.kind === "symlink") await symlink(s.head.target, join(gitDir, "HEAD"));
  for (const name of ["objects", "refs"] as const) {
    if (s[name] === "folder") await mkdir(join(gitDir, name));
    if (s[name] === "file") await writeFile(join(gitDir, name), "");
  }
  if (s.commondir) await writeFile(join(gitDir, "commondir"), "..\n");
}

describe("commonDirOnDisk (against git)", () => {
  let outer: TempRepo;
  beforeAll(async () => {
    outer = await makeTempRepo();
  });
  afterAll(async () => {
    await outer.cleanup();
  });

  // Inside another repository: where git does not take inner/.git, it finds the outer one, so a wrong "yes" shows.
  it("names what `git rev-parse --git-common-dir` names, or nothing, for each way a .git folder can be off", async () => {
    const inner = join(outer.dir, "inner");
    await build(inner, REPOSITORY);
    expect(await commonDirOnDisk(inner)).toBe(join(inner, ".git"));
    expect(await gitCommonDir(inner)).toBe(join(inner, ".git"));
    let found = 0;
    for (const defect of defects) {
      await build(inner, { ...REPOSITORY, ...defect });
      const onDisk = await commonDirOnDisk(inner);
      if (onDisk !== null) found++;
      if (onDisk !== null) expect(onDisk, JSON.stringify(defect)).toBe(await gitCommonDir(inner));
    }
    // Some of those are still repositories to git (a detached HEAD, "ref:" without a space…) and here.
    expect(found).toBeGreaterThan(3);
  });

  it("agrees with git for any mix of those (property)", async () => {
    const inner = join(outer.dir, "inner");
    await fc.assert(
      fc.asyncProperty(fc.array(fc.constantFrom(...defects), { maxLength: 3 }), async (mix) => {
        await build(inner, Object.assign({ ...REPOSITORY }, ...mix) as Shape);
        const onDisk = await commonDirOnDisk(inner);
        if (onDisk !== null) expect(onDisk).toBe(await gitCommonDir(inner));
      }),
      fuzzParameters(0.05),
    );
  });

  it("reads a main checkout and leaves subfolders, linked worktrees, bare repositories and a symlinked .git to git", async () => {
    expect(await commonDirOnDisk(outer.dir)).toBe(await gitCommonDir(outer.dir));
    expect(await commonDirOnDisk(outer.dir)).toBe(join(outer.dir, ".git"));

    await mkdir(join(outer.dir, "sub"), { recursive: true });
    const linked = join(outer.root, "linked");
    await outer.git(["worktree", "add", "-q", "--detach", linked]);
    const bare = join(outer.root, "bare.git");
    await outer.git(["clone", "-q", "--bare", "--", outer.dir, bare]);
    const viaLink = join(outer.root, "via-link");
    await mkdir(viaLink);
    await symlink(join(outer.dir, ".git"), join(viaLink, ".git"));
    for (const start of [join(outer.dir, "sub"), linked, bare, viaLink]) {
      expect(await commonDirOnDisk(start), start).toBeNull();
      expect((await locateRepo(start)).commonDir, start).toBe(await gitCommonDir(start));
    }
  });

  it("leaves a checkout owned by another user to git, which refuses it (safe.directory)", async ({ skip }) => {
    if (process.geteuid?.() !== 0 || process.env.SUDO_UID !== undefined) skip("needs root to hand files to another user");
    const other = await makeTempRepo();
    try {
      await chown(other.dir, 12_345, 12_345);
      await chown(join(other.dir, ".git"), 12_345, 12_345);
      expect(await commonDirOnDisk(other.dir)).toBeNull();
      expect(await gitCommonDir(other.dir)).toBeNull();
      await expect(locateRepo(other.dir)).rejects.toMatchObject({ code: "NOT_FOUND" });
    } finally {
      await other.cleanup();
    }
  });
});
