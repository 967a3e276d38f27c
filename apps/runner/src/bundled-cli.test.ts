import { makeTempRepo, type TempRepo } from "@grove/core/test-support";
import { spawn, type ChildProcess } from "node:child_process";
import { cp, mkdir, mkdtemp, readFile, realpath, rename, rm, stat, symlink, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

// `pnpm grove` starts apps/runner/bin/grove.mjs: the bundle, rebuilt first when a source changed. These tests run
// it on a copy of the runner (its own bin/, src/ and dist/, the real node_modules), so that deleting and
// rebuilding the bundle touches nothing another test runs.

const RUNNER = fileURLToPath(new URL("..", import.meta.url));
let root: string;
let copy: string;

beforeAll(async () => {
  root = await realpath(await mkdtemp(join(tmpdir(), "grove-bundled-cli-")));
  copy = join(root, "apps", "runner");
  await mkdir(copy, { recursive: true });
  for (const part of ["bin", "src", "agents", "package.json", "tsconfig.json"])
    await cp(join(RUNNER, part), join(copy, part), { recursive: true });
  await cp(join(RUNNER, "../../tsconfig.base.json"), join(root, "tsconfig.base.json"));
  await symlink(join(RUNNER, "node_modules"), join(copy, "node_modules"));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

type Ended = { code: number | null; signal: string | null; stdout: string; stderr: string };
type Started = { child: ChildProcess; stderr: () => string; ended: Promise<Ended> };

function start(args: string[], cwd = root): Started {
  const child = spawn(process.execPath, [join(copy, "bin", "grove.mjs"), ...args], {
    cwd,
    env: { ...process.env, GROVE_DEBUG: undefined, npm_lifecycle_event: undefined },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
  child.stdin?.end();
  const ended = new Promise<Ended>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, stderr: () => stderr, ended };
}

const grove = (args: string[], cwd?: string) => start(args, cwd).ended;
const bundle = () => join(copy, "dist", "grove.mjs");
const source = (file: string) => join(copy, "src", file);

describe("the bundled CLI", () => {
  it("starts from a checkout that has no bundle yet: builds it, then answers --help", async () => {
    await expect(stat(bundle())).rejects.toMatchObject({ code: "ENOENT" });
    const result = await grove(["--help"]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^usage: grove <command> \[options\]\n/);
    expect(result.stderr).toBe("");
    expect((await stat(bundle())).isFile()).toBe(true);
  });

  it("runs the bundle it built as it is while no source changed", async () => {
    await grove(["--help"]);
    const built = await stat(bundle());
    const result = await grove(["worktree", "--help"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("grove worktree <add|list|remove|lock|unlock|move>");
    const after = await stat(bundle());
    expect([after.ino, after.mtimeMs]).toEqual([built.ino, built.mtimeMs]);
  });

  it("rebuilds a stale bundle: a source edited in place, one replaced as git does, one edited with its old times put back", async () => {
    const cli = source("cli.ts");
    await writeFile(cli, (await readFile(cli, "utf8")).replace("usage: grove <command>", "usage: grove (edited) <command>"));
    expect((await grove(["--help"])).stdout).toMatch(/^usage: grove \(edited\) <command>/);

    // git writes a changed file as a new file renamed into place.
    const worktree = source("commands/worktree.ts");
    const replaced = (await readFile(worktree, "utf8")).replace("every worktree, as git sees it", "every worktree (pulled)");
    await writeFile(`${worktree}.new`, replaced);
    await rename(`${worktree}.new`, worktree);
    expect((await grove(["worktree", "--help"])).stdout).toContain("every worktree (pulled)");

    // Same size, same mtime (a whole second, so that it is put back exactly): the ctime, which no tool sets
    // back, or the content tells.
    const second = Math.floor(Date.now() / 1000) - 3600;
    await utimes(cli, second, second);
    expect((await grove(["--help"])).stdout).toMatch(/^usage: grove \(edited\) <command>/);
    await writeFile(cli, (await readFile(cli, "utf8")).replace("(edited)", "(EDITED)"));
    await utimes(cli, second, second);
    expect((await grove(["--help"])).stdout).toMatch(/^usage: grove \(EDITED\) <command>/);
  });

  it("a source that does not compile: says so and exits 1, running no bundle, until it is fixed", async () => {
    const cli = source("cli.ts");
    const good = await readFile(cli, "utf8");
    await writeFile(cli, `${good}\nconst broken = ;\n`);
    const result = await grove(["--help"]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain("grove: could not build the CLI bundle from apps/runner/src");
    await writeFile(cli, good);
    expect((await grove(["--help"])).code).toBe(0);
  });
});

describe("the bundled CLI passes through", () => {
  let repo: TempRepo;
  const agent = (script: string) => ({ command: [process.execPath, "-e", script, "--", "{prompt}"] });
  beforeAll(async () => {
    const config = {
      test: 'node -e "process.exit(0)"',
      agents: {
        idle: agent(`console.log("nothing to do here");`),
        hangs: agent("setInterval(() => {}, 1 << 30);"),
        // Takes its time to stop, as a real agent may: grove is still stopping when a second signal comes.
        slow: agent('process.on("SIGTERM", () => setTimeout(() => process.exit(143), 1_500)); setInterval(() => {}, 1 << 30);'),
      },
    };
    repo = await makeTempRepo({ files: { "README.md": "# app\n", "grove.yaml": JSON.stringify(config) } });
  });
  afterAll(async () => {
    await repo.cleanup();
  });

  async function plan(name: string, agentName: string, task = "t1"): Promise<string[]> {
    const file = join(repo.root, `${name}.yaml`);
    await writeFile(file, `session: ${name}\ntasks:\n  - { agent: ${agentName}, task: ${task}, prompt: go }\n`);
    return ["session", "run", "--plan", file, "--data-dir", join(repo.root, "data"), "--approve", "auto"];
  }

  it("exit codes: 2 for an unknown command, 5 for a session whose only task changed nothing", async () => {
    const unknown = await grove(["frobnicate"], repo.dir);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('grove: unknown command "frobnicate"');
    const unchanged = await grove(await plan("s-idle", "idle"), repo.dir);
    expect(unchanged.code, unchanged.stdout + unchanged.stderr).toBe(5);
    expect(unchanged.stdout).toContain("session s-idle: 0 of 1 landed, 1 changed nothing");
  });

  it("Ctrl-C (SIGINT) reaches grove's own handling: the runs stop, their work is kept, exit 130", async () => {
    const running = start(await plan("s-hang", "hangs"), repo.dir);
    await vi.waitFor(() => expect(running.stderr()).toMatch(/▸ hangs\/t1\s+running/), { timeout: 30_000, interval: 50 });
    running.child.kill("SIGINT");
    const ended = await running.ended;
    expect(ended.stderr).toContain("grove: SIGINT: stopping the runs; worktrees and branches are kept");
    expect(ended.code).toBe(130);
    expect(ended.signal).toBeNull();
    expect(await repo.git(["branch", "--list", "agent/hangs/t1"])).toContain("agent/hangs/t1");
  });

  // `kill -TERM -- -<pgid>` (or Ctrl-C) under `pnpm start`: the group's signal, then the launcher's forward of it.
  // Sent back to back, the kernel would merge the two; the forward is sent once grove has taken the first.
  it("the same stop delivered twice at once is one request: a graceful stop, no 'still stopping', no merge claimed", async () => {
    const running = start(await plan("s-twice", "slow", "t2"), repo.dir);
    await vi.waitFor(() => expect(running.stderr()).toMatch(/▸ slow\/t2\s+running/), { timeout: 30_000, interval: 50 });
    running.child.kill("SIGTERM");
    await vi.waitFor(() => expect(running.stderr()).toContain("grove: SIGTERM: stopping the runs"), { interval: 5 });
    running.child.kill("SIGTERM");
    const ended = await running.ended;
    expect(ended.stderr).toContain("grove: SIGTERM: stopping the runs; worktrees and branches are kept");
    expect(ended.stderr).not.toContain("still stopping");
    expect(ended.stderr).not.toContain("merge in progress");
    expect(ended.code, ended.stderr).toBe(143);
    expect(ended.signal).toBeNull();
    expect(await repo.git(["branch", "--list", "agent/slow/t2"])).toContain("agent/slow/t2");
  });
});
