import { makeTempRepo, type TempRepo } from "@grove/core/test-support";
import { mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runGrove } from "../test-support/grove-process.ts";

describe("grove CLI", () => {
  let repo: TempRepo;
  beforeEach(async () => {
    repo = await makeTempRepo();
  });
  afterEach(async () => {
    await repo.cleanup();
  });

  it("lists its commands", async () => {
    const result = await runGrove(["--help"], { cwd: repo.dir });
    expect(result.code).toBe(0);
    for (const command of ["worktree", "doctor", "session", "runner", "prune", "cleanup", "archive"]) {
      expect(result.stdout).toMatch(new RegExp(`^  ${command} `, "m"));
    }
  });

  it("prints the usage of archive list and archive restore for --help, and runs neither", async () => {
    for (const sub of ["list", "restore"]) {
      const result = await runGrove(["archive", sub, "--help"], { cwd: repo.dir });
      expect(result, result.stderr).toMatchObject({ code: 0, stderr: "" });
      expect(result.stdout).toContain(`usage: grove archive ${sub}`);
      expect(result.stdout).not.toContain("No archives.");
    }
  });

  it("takes --repo before the command as after it (grove --repo X worktree list), from another folder", async () => {
    const before = await runGrove(["--repo", repo.dir, "worktree", "list", "--json"], { cwd: tmpdir() });
    const after = await runGrove(["worktree", "list", "--json", "--repo", repo.dir], { cwd: tmpdir() });
    expect(before.code).toBe(0);
    expect(before.stdout).toBe(after.stdout);
    expect(before.stdout).toContain(repo.dir);
  });

  it("rejects an unknown command or option with exit 2 and the usage", async () => {
    expect(await runGrove(["frobnicate"], { cwd: repo.dir })).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('unknown command "frobnicate"') as unknown,
    });
    for (const name of ["constructor", "__proto__", "toString"]) {
      expect(await runGrove([name], { cwd: repo.dir })).toMatchObject({
        code: 2,
        stderr: expect.stringContaining(`unknown command "${name}"`) as unknown,
      });
    }
    const bad = await runGrove(["worktree", "add", "demo", "t1", "--bogus"], { cwd: repo.dir });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("grove: Unknown option '--bogus'");
    expect(bad.stderr).toContain("usage: grove worktree add");
  });

  it("prints a DomainError as `grove: message` plus a hint, without a stack trace", async () => {
    const result = await runGrove(["worktree", "add", "demo", "../evil"], { cwd: repo.dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^grove: Invalid task id "\.\.\/evil": it /);
    expect(result.stderr).toContain("hint: ");
    expect(result.stderr).not.toMatch(/\n\s+at /);
    const debug = await runGrove(["worktree", "add", "demo", "../evil"], { cwd: repo.dir, env: { GROVE_DEBUG: "1" } });
    expect(debug.stderr).toMatch(/\n\s+at /);
  });

  it("prints any other failure on one line, exit 1", async () => {
    await mkdir(join(repo.dir, "grove.yaml"));
    const result = await runGrove(["worktree", "list"], { cwd: repo.dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^grove: unexpected error: EISDIR[^\n]*\n$/);
  });

  it("says what is wrong outside a repository", async () => {
    const result = await runGrove(["worktree", "list"], { cwd: repo.root });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("is not inside a git repository");
  });

  it("runner needs a hub and a token", async () => {
    const result = await runGrove(["runner"], {
      cwd: repo.dir,
      env: { GROVE_HUB_URL: undefined, GROVE_RUNNER_TOKEN: undefined },
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("no hub URL: pass --hub URL or set GROVE_HUB_URL");
  });

  it("runner refuses a launch record it cannot read (its agents would get grove's settings)", async () => {
    const result = await runGrove(["runner", "--hub", "http://127.0.0.1:9", "--token", "t"], {
      cwd: repo.dir,
      env: { GROVE_LAUNCH_ENV: '{"NODE_ENV": 1}' },
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("GROVE_LAUNCH_ENV is set but is not the launch record grove writes");
  });

  it("session run names a plan it cannot read, and creates nothing", async () => {
    const result = await runGrove(["session", "run", "--plan", "missing-plan.yaml"], { cwd: repo.dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("cannot read the plan");
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(await repo.git(["branch", "--list", "agent/*"])).toBe("");
  });
});
