import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { makeTempRepo } from "@grove/core/test-support";
import { savePendingMerge } from "../merge/pending-merges.ts";
import { runGrove } from "../test-support/grove-process.ts";
import { runnerDataDir } from "./runner-data-dir.ts";

let root: string;
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const SHA = "a".repeat(40);

/** A folder as `pnpm start` leaves it: its runner token, and its runner's own folder with one waiting merge request. */
async function startDataDir(): Promise<string> {
  root = await mkdtemp(join(tmpdir(), "grove-start-data-"));
  await writeFile(join(root, "runner-token"), "token\n", { mode: 0o600 });
  await mkdir(join(root, "runner"), { mode: 0o700 });
  await savePendingMerge(join(root, "runner"), { ...WAITING, repo: root });
  return root;
}

const WAITING = {
  runId: "s1-demo-t1",
  sessionId: "s1",
  integration: "main",
  branch: "agent/demo/t1",
  agent: "demo",
  taskId: "t1",
  headSha: SHA,
  baseSha: SHA,
  commits: 1,
  tests: "passed",
  result: null,
  openedAt: 1,
  state: "waiting",
} as const;

describe("the CLI's data dir", () => {
  it("is the runner folder of a `pnpm start` folder named by GROVE_DATA_DIR or --data-dir", async () => {
    const dir = await startDataDir();
    expect(runnerDataDir(undefined, { cwd: "/", env: { GROVE_DATA_DIR: dir } })).toBe(join(dir, "runner"));
    expect(runnerDataDir(dir, { cwd: "/", env: {} })).toBe(join(dir, "runner"));
    // The runner folder itself, or any folder that is not `pnpm start`'s, is taken as it is.
    expect(runnerDataDir(join(dir, "runner"), { cwd: "/", env: {} })).toBe(join(dir, "runner"));
    await rm(join(dir, "runner-token"));
    expect(runnerDataDir(dir, { cwd: "/", env: {} })).toBe(dir);
  });

  it("lets `grove approve --list` with the same GROVE_DATA_DIR as pnpm start see the dashboard runner's requests", async () => {
    const dir = await startDataDir();
    const listed = await runGrove(["approve", "--list"], { cwd: dir, env: { GROVE_DATA_DIR: dir } });
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toContain("agent/demo/t1");
  });

  it("lets `grove approve --list --repo PATH`, typed anywhere (--repo before the command too), see that repository's requests", async () => {
    const repo = await makeTempRepo();
    root = repo.root;
    const dataDir = join(repo.dir, ".grove-data", "runner");
    await mkdir(dataDir, { recursive: true, mode: 0o700 });
    await savePendingMerge(dataDir, { ...WAITING, repo: repo.dir });
    const elsewhere = join(repo.root, "elsewhere");
    await mkdir(elsewhere);
    for (const args of [
      ["approve", "--list", "--repo", repo.dir],
      ["--repo", repo.dir, "approve", "--list"],
    ]) {
      const listed = await runGrove(args, { cwd: elsewhere });
      expect(listed.code, listed.stderr).toBe(0);
      expect(listed.stdout).toContain("agent/demo/t1");
    }
  });

  it("defaults to .grove-data/runner at the repository's root, typed in a subfolder or a linked worktree too", async () => {
    const repo = await makeTempRepo();
    root = repo.root;
    const expected = join(repo.dir, ".grove-data", "runner");
    await mkdir(join(repo.dir, "src", "deep"), { recursive: true });
    const env = {};
    expect(runnerDataDir(undefined, { cwd: repo.dir, env })).toBe(expected);
    expect(runnerDataDir(undefined, { cwd: join(repo.dir, "src", "deep"), env })).toBe(expected);
    expect(runnerDataDir(undefined, { cwd: "/", env }, repo.dir)).toBe(expected);
    const linked = join(repo.root, "linked");
    await repo.git(["worktree", "add", "-q", "-b", "side", linked]);
    expect(runnerDataDir(undefined, { cwd: linked, env })).toBe(expected);
    // A folder given is read from where it was typed; outside any repository the default is the folder typed in.
    expect(runnerDataDir("data", { cwd: join(repo.dir, "src"), env })).toBe(join(repo.dir, "src", "data"));
    const outside = join(repo.root, "outside");
    await mkdir(outside);
    expect(runnerDataDir(undefined, { cwd: outside, env })).toBe(join(outside, ".grove-data", "runner"));
  });
});
