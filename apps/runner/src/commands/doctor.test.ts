import { testMergedTree, type DoctorReport } from "@grove/core/node";
import { makeTempRepo, type TempRepo } from "@grove/core/test-support";
import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { once } from "node:events";
import { access, mkdir, readdir, rm, utimes, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { basename, join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runGrove } from "../test-support/grove-process.ts";

describe("grove doctor", () => {
  let repo: TempRepo;
  const children: ChildProcess[] = [];
  beforeEach(async () => {
    repo = await makeTempRepo();
  });
  afterEach(async () => {
    for (const child of children.splice(0)) if (child.exitCode === null) child.kill("SIGKILL");
    await repo.cleanup();
  });

  const doctor = async (...args: string[]) => {
    const result = await runGrove(["doctor", "--json", ...args], { cwd: repo.dir });
    return { code: result.code, stderr: result.stderr, report: JSON.parse(result.stdout) as DoctorReport };
  };
  const kinds = (report: DoctorReport) => report.findings.map((f) => [f.kind, f.path ?? f.branch]);
  const addWorktree = async (task: string, ...extra: string[]) => {
    const result = await runGrove(["worktree", "add", "demo", task, "--json", ...extra], { cwd: repo.dir });
    expect(result.stderr).toBe("");
    return (JSON.parse(result.stdout) as { path: string }).path;
  };
  /** A long-lived process working in `cwd`, standing in for an agent. */
  const startAgent = async (cwd: string) => {
    const child = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { cwd, stdio: "ignore" });
    children.push(child);
    await once(child, "spawn");
    return child;
  };
  const hoursAgo = (hours: number) => new Date(Date.now() - hours * 3_600_000);

  it("reports a healthy repository with exit 0", async () => {
    await addWorktree("fresh");
    const { code, report } = await doctor();
    expect(report.findings).toEqual([]);
    expect(code).toBe(0);
    const text = await runGrove(["doctor"], { cwd: repo.dir });
    expect(text.stdout).toContain("no problems found");
  });

  it("lists the warm merge trees a merge queue keeps, and still calls the repository healthy (exit 0)", async () => {
    const test = await testMergedTree({
      repo: repo.dir,
      sha: await repo.git(["rev-parse", "HEAD"]),
      test: `"${process.execPath}" -e 0`,
      env: { PATH: process.env.PATH },
      warm: { integration: "main" },
    });
    expect(test.status).toBe("passed");
    const { code, report } = await doctor();
    expect(kinds(report).map(([kind]) => kind)).toEqual(["warm-merge-tree"]);
    expect(code).toBe(0);
    const text = await runGrove(["doctor"], { cwd: repo.dir });
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^\[kept\] warm-merge-tree: /m);
    expect(text.stdout).not.toContain("[manual]");
  });

  it("lists the disk each worktree takes, tracked files apart from dependencies, and a total", async () => {
    const path = await addWorktree("deps");
    await mkdir(join(path, "node_modules", "dep"), { recursive: true });
    await writeFile(join(path, "node_modules", "dep", "index.js"), "x".repeat(256 * 1024));
    const { report } = await doctor();
    const disk = (report as DoctorReport & { disk: { worktrees: { path: string; otherBytes: number }[]; totalBytes: number } })
      .disk;
    expect(disk.worktrees.map((w) => w.path)).toEqual([path]);
    expect(disk.worktrees[0]?.otherBytes).toBeGreaterThanOrEqual(256 * 1024);
    expect(disk.totalBytes).toBeGreaterThanOrEqual(256 * 1024);
    const text = await runGrove(["doctor"], { cwd: repo.dir });
    expect(text.stdout).toMatch(
      /Disk used by worktrees \(1\):\n .*agent\/demo\/deps\]: .* tracked, .* dependencies and other untracked files\n {2}total: /,
    );
  });

  it("finds a worktree whose folder was deleted by hand, and --fix prunes it", async () => {
    const path = await addWorktree("gone");
    await rm(path, { recursive: true, force: true });
    const before = await doctor();
    expect(before.code).toBe(1);
    expect(kinds(before.report)).toEqual([["prunable-worktree", path]]);
    expect(before.report.findings[0]?.fix).toBe("grove prune");

    const fixed = await doctor("--fix");
    expect(fixed.code).toBe(0);
    // Pruning freed the branch, which (never worked on) is merged: the second pass deletes it.
    expect(fixed.report.fixed.map((f) => [f.kind, f.path ?? f.branch])).toEqual([
      ["prunable-worktree", path],
      ["merged-branch", "agent/demo/gone"],
    ]);
    expect(await repo.git(["worktree", "list", "--porcelain"])).not.toContain(path);
    expect((await doctor()).report.findings).toEqual([]);
  });

  it("finds an old index.lock and config.lock left by a crashed git, and --fix deletes them", async () => {
    const indexLock = join(repo.dir, ".git", "index.lock");
    const configLock = join(repo.dir, ".git", "config.lock");
    const freshLock = join(repo.dir, ".git", "packed-refs.lock");
    for (const file of [indexLock, configLock, freshLock]) await writeFile(file, "");
    await utimes(indexLock, hoursAgo(1), hoursAgo(1));
    await utimes(configLock, hoursAgo(2), hoursAgo(2));

    const { report } = await doctor();
    expect(kinds(report).sort()).toEqual([
      ["stale-lock-file", configLock],
      ["stale-lock-file", indexLock],
    ]);
    const fixed = await doctor("--fix");
    expect(fixed.report.fixed).toHaveLength(2);
    await expect(access(indexLock)).rejects.toThrow();
    await expect(access(configLock)).rejects.toThrow();
    await access(freshLock);
    expect(await repo.git(["status", "--porcelain"])).toBe("");
  });

  it("finds a locked worktree with no live agent, not one with a live agent, and --fix unlocks it", async () => {
    const idle = await addWorktree("idle", "--lock-reason", "agent session in progress");
    const busy = await addWorktree("busy", "--lock-reason", "agent session in progress");
    await startAgent(busy);

    const { report } = await doctor();
    expect(kinds(report)).toEqual([["locked-without-agent", idle]]);
    expect(report.findings[0]?.fix).toBe("grove worktree unlock demo idle");
    await doctor("--fix");
    const locks = await repo.git(["worktree", "list", "--porcelain"]);
    expect(locks.split("\n\n").find((block) => block.includes(idle))).not.toContain("locked");
    expect(locks.split("\n\n").find((block) => block.includes(busy))).toContain("locked agent session in progress");
  });

  it("finds merged agent branches: --fix deletes one no worktree uses; cleanup is suggested for one with a worktree", async () => {
    const path = await addWorktree("merged");
    await repo.write({ "f.txt": "f\n" }, { cwd: path });
    await repo.git(["add", "-A"], { cwd: path });
    await repo.git(["commit", "-q", "-m", "agent work"], { cwd: path });
    await repo.git(["merge", "-q", "--no-ff", "-m", "merge", "agent/demo/merged"]);
    await repo.git(["branch", "agent/demo/leftover", "HEAD~1"]);

    const { report } = await doctor();
    expect(kinds(report)).toEqual([
      ["merged-branch", "agent/demo/leftover"],
      ["merged-worktree", path],
    ]);
    expect(report.findings[1]).toMatchObject({ fix: "grove cleanup", isSafeToFix: false });
    const fixed = await doctor("--fix");
    expect(fixed.report.fixed.map((f) => f.kind)).toEqual(["merged-branch"]);
    expect(await repo.git(["branch", "--list", "agent/*", "--format=%(refname:short)"])).toBe("agent/demo/merged");
  });

  it("finds a process still running in a deleted worktree folder", async () => {
    const path = await addWorktree("orphan");
    const agent = await startAgent(path);
    await rm(path, { recursive: true, force: true });
    const { report } = await doctor();
    expect(report.findings.find((f) => f.kind === "orphaned-process")).toMatchObject({
      pid: agent.pid,
      path,
      fix: `kill ${agent.pid}`,
    });
  });

  it("finds a grove.lock left by a dead process and worktrees idle past --idle-days", async () => {
    const path = await addWorktree("idle");
    const dead = spawn(process.execPath, ["-e", ""]);
    await once(dead, "exit");
    const groveLock = join(repo.dir, ".git", "grove.lock");
    await writeFile(groveLock, JSON.stringify({ pid: dead.pid, host: hostname(), token: "t", at: 0 }));
    const gitDir = join(repo.dir, ".git", "worktrees", "repo-wt-demo-idle");
    for (const file of [path, join(gitDir, "index"), join(gitDir, "HEAD"), join(gitDir, "logs", "HEAD")]) {
      await utimes(file, hoursAgo(24 * 10), hoursAgo(24 * 10));
    }
    const { report } = await doctor("--idle-days", "7");
    expect(kinds(report)).toEqual([
      ["idle-worktree", path],
      ["stale-grove-lock", groveLock],
    ]);
    await doctor("--fix");
    await expect(access(groveLock)).rejects.toThrow();
  });

  it("finds removed worktrees' files a dead grove process left in its trash, not a deletion under way, and --fix deletes them", async () => {
    const dead = spawn(process.execPath, ["-e", ""]);
    await once(dead, "exit");
    const trash = join(repo.dir, ".git", "grove-trash");
    const host = encodeURIComponent(hostname());
    const leftover = join(trash, `${host}.${dead.pid}.${randomUUID()}`);
    const underWay = join(trash, `${host}.${process.pid}.${randomUUID()}`);
    for (const entry of [leftover, underWay]) {
      await mkdir(join(entry, "src"), { recursive: true });
      await writeFile(join(entry, "src", "app.ts"), "export {};\n");
    }
    const { report } = await doctor();
    expect(kinds(report)).toEqual([["leftover-trash", leftover]]);
    expect(report.findings[0]?.isSafeToFix).toBe(true);

    const fixed = await doctor("--fix");
    expect(fixed.code).toBe(0);
    expect(await readdir(trash)).toEqual([basename(underWay)]);
  });
});
