import { spawnSync } from "node:child_process";
import { access, constants, open, rm } from "node:fs/promises";
import { join } from "node:path";
import { setImmediate as nextTurn } from "node:timers/promises";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DomainError } from "../errors/domain-error.ts";
import { makeTempRepo, type TempRepo } from "../test-support/temp-repo.ts";
import { runGit, type GitProgress } from "./run-git.ts";

// What git-process.ts adds to runGit: argv guards, a kill on timeout or abort, progress events.
describe("runGit's process guards", () => {
  let repo: TempRepo;
  beforeEach(async () => {
    repo = await makeTempRepo();
  });
  afterEach(async () => {
    await repo.cleanup();
  });

  it("refuses a remote name that smuggles in --upload-pack, before git starts", async () => {
    const pwned = join(repo.root, "pwned");
    await repo.git(["remote", "add", "origin", repo.dir]);
    const remote = `--upload-pack=touch ${pwned}; git-upload-pack`;
    const error = await runGit(["fetch", remote, "main"], { cwd: repo.dir }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({
      code: "INVALID_INPUT",
      process: { command: ["git", "fetch", remote, "main"], exitCode: null },
    });
    expect((error as DomainError).message).toContain("--upload-pack");
    await expect(access(pwned)).rejects.toThrow();
  });

  it("refuses a protocol override in argv but keeps grove's own -c options", async () => {
    const error = await runGit(["-c", "protocol.ext.allow=always", "ls-remote", "ext::sh -c true"], { cwd: repo.dir }).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: "INVALID_INPUT" });
    const { stdout } = await runGit(["-c", "core.quotePath=false", "ls-files"], { cwd: repo.dir });
    expect(stdout).toBe("README.md\n");
  });

  it("kills a git that printed nothing for idleTimeoutMs and reports it", async () => {
    const fifo = await makeFifo(repo);
    // git blocks opening a FIFO nobody writes to: a real git that hangs without output.
    const error = await runGit(["hash-object", "--", fifo], { cwd: repo.dir, idleTimeoutMs: 200 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({
      code: "GIT_FAILED",
      process: { command: ["git", "hash-object", "--", fifo], exitCode: null, signal: "SIGINT" },
    });
    expect((error as DomainError).message).toContain("no output for 200 ms");
  });

  it("kills a running git when the caller aborts", async () => {
    const fifo = await makeFifo(repo);
    const abort = new AbortController();
    const running = runGit(["hash-object", "--", fifo], { cwd: repo.dir, signal: abort.signal }).catch((e: unknown) => e);
    const writer = await openOnceReaderIs(fifo);
    try {
      abort.abort();
      const error = await running;
      expect(error).toMatchObject({ code: "GIT_FAILED", process: { signal: "SIGINT" } });
      expect((error as DomainError).message).toContain("aborted");
    } finally {
      await writer.close();
    }
  });

  it("starts no git for an already aborted signal", async () => {
    const error = await runGit(["checkout", "-q", "-b", "never"], { cwd: repo.dir, signal: AbortSignal.abort() }).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: "GIT_FAILED" });
    expect((error as DomainError).message).toContain("aborted");
    expect(await repo.git(["branch", "--list", "never"])).toBe("");
  });

  it("reports a missing folder as git that could not start", async () => {
    const error = await runGit(["status"], { cwd: join(repo.root, "gone") }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "GIT_FAILED", process: { exitCode: null } });
    expect((error as DomainError).message).toContain("could not start git");
  });

  it("reports clone and checkout progress as git prints it", async () => {
    await repo.write(Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`src/f${i}.txt`, `file ${i}\n`.repeat(50)])));
    await repo.git(["add", "-A"]);
    await repo.git(["commit", "-q", "-m", "300 files"]);
    // git shows progress only after GIT_PROGRESS_DELAY seconds (default 2) and only with --progress off a TTY.
    const env = { GIT_PROGRESS_DELAY: "0" };
    const cloned: GitProgress[] = [];
    const clone = join(repo.root, "clone");
    await runGit(["clone", "--progress", "--no-checkout", "--", `file://${repo.dir}`, clone], {
      cwd: repo.root,
      env,
      onProgress: (p) => cloned.push(p),
    });
    expect(cloned.some((p) => p.method === "clone" && p.stage === "receiving" && p.total > 300)).toBe(true);

    const checkedOut: GitProgress[] = [];
    await runGit(["checkout", "--progress", "main", "--"], { cwd: clone, env, onProgress: (p) => checkedOut.push(p) });
    expect(checkedOut.some((p) => p.method === "checkout" && p.total === 301)).toBe(true);
    // Every stage's last report is its end, even when git printed "100%" in a chunk with other lines.
    for (const events of [cloned, checkedOut]) {
      const lastOfStage = new Map(events.map((p) => [p.stage, p]));
      for (const p of lastOfStage.values()) expect(p).toMatchObject({ progress: 100, processed: p.total });
    }
    await access(join(clone, "src", "f299.txt"));
  });
});

async function makeFifo(repo: TempRepo): Promise<string> {
  const fifo = join(repo.root, "fifo");
  await rm(fifo, { force: true });
  expect(spawnSync("mkfifo", [fifo]).status).toBe(0);
  return fifo;
}

/** A non-blocking open for writing succeeds only once a reader (git) has the FIFO open. */
async function openOnceReaderIs(fifo: string) {
  for (;;) {
    const handle = await open(fifo, constants.O_WRONLY | constants.O_NONBLOCK).catch((e: NodeJS.ErrnoException) => {
      if (e.code === "ENXIO") return null;
      throw e;
    });
    if (handle) return handle;
    await nextTurn();
  }
}
