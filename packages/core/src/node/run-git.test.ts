import { spawnSync } from "node:child_process";
import { mkdir, readFile, writeFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DomainError } from "../errors/domain-error.ts";
import { makeTempRepo, type TempRepo } from "../test-support/temp-repo.ts";
import { isLockContention, runGit } from "./run-git.ts";

describe("runGit", () => {
  let repo: TempRepo;
  beforeEach(async () => {
    repo = await makeTempRepo();
  });
  afterEach(async () => {
    await repo.cleanup();
  });

  it("returns stdout and the exit code", async () => {
    const result = await runGit(["rev-parse", "--abbrev-ref", "HEAD"], { cwd: repo.dir });
    expect(result).toMatchObject({ stdout: "main\n", exitCode: 0 });
  });

  it("accepts the exit codes the caller expects", async () => {
    const result = await runGit(["show-ref", "--verify", "--quiet", "refs/heads/nope"], { cwd: repo.dir, okExitCodes: [0, 1] });
    expect(result.exitCode).toBe(1);
  });

  it("throws GIT_FAILED with the process details on other exit codes", async () => {
    const error = await runGit(["rev-parse", "--verify", "no-such-ref"], { cwd: repo.dir }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({
      code: "GIT_FAILED",
      process: { command: ["git", "rev-parse", "--verify", "no-such-ref"], cwd: repo.dir, exitCode: 128, signal: null },
    });
    expect((error as DomainError).process?.stderrTail).toContain("Needed a single revision");
  });

  it("keeps grove's secrets from git and the hooks it runs", async () => {
    const seen = join(repo.root, "hook-saw.txt");
    const hook = `#!${process.execPath}\nrequire("node:fs").writeFileSync(${JSON.stringify(seen)}, "token=" + (process.env.GROVE_RUNNER_TOKEN ?? "") + " mine=" + process.env.MY_VAR);\n`;
    await writeFile(join(repo.dir, ".git", "hooks", "post-checkout"), hook, { mode: 0o755 });
    process.env.GROVE_RUNNER_TOKEN = "runner-token-0123456789abcdef";
    process.env.MY_VAR = "kept";
    try {
      await runGit(["checkout", "-q", "-b", "feature"], { cwd: repo.dir });
    } finally {
      delete process.env.GROVE_RUNNER_TOKEN;
      delete process.env.MY_VAR;
    }
    expect(await readFile(seen, "utf8")).toBe("token= mine=kept");
  });

  it("passes input on stdin", async () => {
    const { stdout } = await runGit(["hash-object", "--stdin"], { cwd: repo.dir, input: "hello\n" });
    expect(stdout.trim()).toBe("ce013625030ba8dba906f756967f9e9ca394464a");
  });

  it("waits out an index.lock held by another git process", async () => {
    await writeFile(join(repo.dir, "new.txt"), "x\n");
    const lock = join(repo.dir, ".git", "index.lock");
    await writeFile(lock, "");
    const released = sleep(400).then(() => rm(lock));
    await runGit(["add", "--", "new.txt"], { cwd: repo.dir });
    await released;
    expect(await repo.git(["diff", "--cached", "--name-only"])).toBe("new.txt");
  });

  it("waits out a linked worktree another git process is still creating", async () => {
    // What `git worktree add` leaves for a moment: the admin folder with an empty commondir. Any
    // `git worktree list` in that window dies with "failed to read …/commondir" (seen in CI with 20 adds at once).
    const admin = join(repo.dir, ".git", "worktrees", "half");
    await mkdir(admin, { recursive: true });
    await writeFile(join(admin, "gitdir"), `${join(repo.root, "half", ".git")}\n`);
    await writeFile(join(admin, "HEAD"), "ref: refs/heads/main\n");
    await writeFile(join(admin, "commondir"), "");
    const bare = spawnSync("git", ["worktree", "list", "--porcelain"], { cwd: repo.dir, encoding: "utf8" });
    expect(bare).toMatchObject({ status: 128, stderr: expect.stringContaining("commondir") as string });
    const finished = sleep(400).then(() => writeFile(join(admin, "commondir"), "../..\n"));
    const { stdout } = await runGit(["worktree", "list", "--porcelain"], { cwd: repo.dir });
    await finished;
    expect(stdout).toContain(`worktree ${join(repo.root, "half")}`);
  });

  it("tells lock contention from errors a retry cannot fix", () => {
    expect(isLockContention("fatal: Unable to create '/r/.git/index.lock': File exists.")).toBe(true);
    expect(isLockContention("error: could not lock config file .git/config: File exists")).toBe(true);
    expect(isLockContention("fatal: cannot lock ref 'refs/heads/main': is at abc but expected def")).toBe(false);
    expect(isLockContention("fatal: not a git repository")).toBe(false);
    expect(isLockContention("fatal: failed to read .git/worktrees/repo-wt-agent4-task-9/commondir: Success")).toBe(true);
  });
});
