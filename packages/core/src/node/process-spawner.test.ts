import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { createRequire } from "node:module";
import { access, constants, open, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { exists, waitUntil } from "../test-support/spawner-faults.ts";
import { makeTempRepo, type TempRepo } from "../test-support/temp-repo.ts";
import {
  processSpawnerPid,
  processSpawnerReady,
  spawnProcess,
  stopProcessSpawner,
  useProcessSpawner,
  type SpawnEnd,
} from "./process-spawner.ts";
import { runGit } from "./run-git.ts";

// This file's setup (process-spawner-setup.ts) has already put the spawner in use.
describe("the process spawner", () => {
  let repo: TempRepo;
  beforeEach(async () => {
    useProcessSpawner();
    await processSpawnerReady();
    repo = await makeTempRepo();
  });
  afterEach(async () => {
    await repo.cleanup();
  });

  it("starts each process itself, with the argv, folder, environment and stdin it is given", async () => {
    const spawner = processSpawnerPid();
    expect(spawner).toBeDefined();
    expect(spawner).not.toBe(process.pid);
    const script =
      "process.stdout.write(JSON.stringify({ ppid: process.ppid, cwd: process.cwd(), argv: process.argv.slice(1), mark: process.env.MARK, stdin: require('fs').readFileSync(0, 'utf8') }))";
    const ran = await collect(process.execPath, ["-e", script, "--", "a b", "$HOME", "'"], { MARK: "x" }, "input\n");
    expect(ran.end).toEqual({ kind: "closed", code: 0, signal: null });
    expect(JSON.parse(ran.stdout)).toEqual({
      ppid: spawner,
      cwd: repo.dir,
      argv: ["a b", "$HOME", "'"],
      mark: "x",
      stdin: "input\n",
    });
  });

  it("passes a large output through intact", async () => {
    const blob = Buffer.alloc(3 * 1024 * 1024);
    for (let i = 0; i < blob.length; i++) blob[i] = (i * 7919) % 251;
    await writeFile(join(repo.dir, "big.bin"), blob);
    const sha = await repo.git(["hash-object", "-w", "--", "big.bin"]);
    const ran = await collect("git", ["cat-file", "blob", sha], {}, "");
    expect(ran.end).toEqual({ kind: "closed", code: 0, signal: null });
    expect(digest(ran.stdoutBytes)).toBe(digest(blob));
  });

  it("says a program that cannot start could not start", async () => {
    const ran = await collect(join(repo.root, "no-such-program"), [], {}, "");
    expect(ran.end.kind).toBe("unstartable");
    expect(ran.end.kind === "unstartable" && ran.end.reason).toContain("ENOENT");
  });

  it("keeps running git when its process group gets SIGINT or SIGTERM (a Ctrl-C, a supervisor's stop)", async () => {
    const spawner = processSpawnerPid() as number;
    process.kill(spawner, "SIGINT");
    process.kill(spawner, "SIGTERM");
    expect((await runGit(["rev-parse", "--abbrev-ref", "HEAD"], { cwd: repo.dir })).stdout).toBe("main\n");
    expect(processSpawnerPid()).toBe(spawner);
  });

  it("killed -9 mid-git: that git is reported lost, never as not started; later ones start directly until a new spawner is ready", async () => {
    const fifo = join(repo.root, "fifo");
    await rm(fifo, { force: true });
    expect(spawnSync("mkfifo", [fifo]).status).toBe(0);
    // git blocks opening a FIFO nobody writes to: it is running when the spawner dies.
    const running = runGit(["hash-object", "--", fifo], { cwd: repo.dir }).catch((e: unknown) => e);
    await waitUntil(async () => (await gitChildrenOf(processSpawnerPid() as number)) > 0);
    const killed = processSpawnerPid() as number;
    process.kill(killed, "SIGKILL");
    const error = await running;
    expect(error).toMatchObject({ code: "GIT_FAILED", process: { exitCode: null } });
    expect(String((error as Error).message)).toMatch(/lost track of git .*whether the process ran is unknown/);
    expect(processSpawnerPid()).toBeUndefined();
    expect((await runGit(["rev-parse", "--abbrev-ref", "HEAD"], { cwd: repo.dir })).stdout).toBe("main\n");
    // That git started a replacement (a runner lives for days), which starts the ones after it.
    const replacement = await processSpawnerReady();
    expect(replacement).toBeGreaterThan(0);
    expect(replacement).not.toBe(killed);
    const ran = await collect(process.execPath, ["-e", "process.stdout.write(String(process.ppid))"], {}, "");
    expect(Number(ran.stdout)).toBe(replacement);
    // The orphaned git still waits on the FIFO: a writer that closes at once ends it.
    await (await open(fifo, constants.O_WRONLY | constants.O_NONBLOCK)).close();
  });

  it("killed -9 while a git that only reads runs: that git is run again, and its caller gets the answer", async () => {
    await writeFile(join(repo.dir, "README.md"), "changed\n");
    const fifo = join(repo.root, "diff-fifo");
    const first = join(repo.root, "first-diff");
    const script = join(repo.root, "external-diff.sh");
    await rm(fifo, { force: true });
    expect(spawnSync("mkfifo", [fifo]).status).toBe(0);
    await writeFile(first, "");
    // The first run blocks on a FIFO nobody writes to (running when the spawner dies); the second answers.
    const diff = `#!/bin/sh\nif [ -e '${first}' ]; then rm '${first}'; cat '${fifo}' >/dev/null; fi\necho "diff of $1"\n`;
    await writeFile(script, diff, { mode: 0o755 });
    const diffing = runGit(["diff"], { cwd: repo.dir, env: { GIT_EXTERNAL_DIFF: script } });
    await waitUntil(async () => !(await exists(first)));
    process.kill(processSpawnerPid() as number, "SIGKILL");
    expect((await diffing).stdout).toBe("diff of README.md\n");
    await (await open(fifo, constants.O_WRONLY | constants.O_NONBLOCK)).close();
  });

  it("killed -9 while a commit-tree runs (the merge commit's): it only writes an object, so it is run again", async () => {
    const fifo = join(repo.root, "sign-fifo");
    const first = join(repo.root, "first-sign");
    const signer = join(repo.root, "sign.sh");
    await rm(fifo, { force: true });
    expect(spawnSync("mkfifo", [fifo]).status).toBe(0);
    await writeFile(first, "");
    // A signing program git starts for `-S`: the first run blocks on a FIFO nobody writes to; the second signs.
    const sign = `#!/bin/sh\ncat >/dev/null\nif [ -e '${first}' ]; then rm '${first}'; cat '${fifo}' >/dev/null; fi\necho '[GNUPG:] SIG_CREATED D 1 8 00 1 X' >&2\nprintf -- '-----BEGIN PGP SIGNATURE-----\\n\\nx\\n-----END PGP SIGNATURE-----\\n'\n`;
    await writeFile(signer, sign, { mode: 0o755 });
    const env = { GIT_CONFIG_COUNT: "1", GIT_CONFIG_KEY_0: "gpg.program", GIT_CONFIG_VALUE_0: signer };
    const committing = runGit(["commit-tree", "-S", "HEAD^{tree}", "-p", "HEAD", "-F", "-"], {
      cwd: repo.dir,
      env,
      input: "m\n",
    });
    await waitUntil(async () => !(await exists(first)));
    process.kill(processSpawnerPid() as number, "SIGKILL");
    const commit = (await committing).stdout.trim();
    expect(await repo.git(["rev-parse", `${commit}^`])).toBe(await repo.git(["rev-parse", "HEAD"]));
    await (await open(fifo, constants.O_WRONLY | constants.O_NONBLOCK)).close();
  });

  it("exits when the grove process that started it is killed -9", async () => {
    const module = pathToFileURL(fileURLToPath(new URL("./process-spawner.ts", import.meta.url))).href;
    const code = `import { useProcessSpawner, processSpawnerPid, spawnProcess } from ${JSON.stringify(module)};
useProcessSpawner();
spawnProcess({ file: "true", args: [], cwd: ".", env: { PATH: process.env.PATH }, input: Buffer.alloc(0) }, {
  onStdout() {}, onStderr() {}, onEnd() { console.log(processSpawnerPid()); setInterval(() => undefined, 1000); },
});`;
    const grove = spawn(process.execPath, ["--import", tsxLoader, "--input-type=module", "-e", code], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    const spawnerPid = Number(await firstLine(grove.stdout));
    expect(await isAlive(spawnerPid)).toBe(true);
    grove.kill("SIGKILL");
    await waitUntil(async () => !(await isAlive(spawnerPid)));
  });

  it("says nothing when its grove process exits before it is ready (no EPIPE stack trace on the user's terminal)", async () => {
    const module = pathToFileURL(fileURLToPath(new URL("./process-spawner.ts", import.meta.url))).href;
    const code = `import { useProcessSpawner } from ${JSON.stringify(module)};
useProcessSpawner();
process.exit(0);`;
    for (let round = 0; round < 3; round++) {
      const grove = spawn(process.execPath, ["--import", tsxLoader, "--input-type=module", "-e", code], {
        stdio: ["ignore", "ignore", "pipe"],
      });
      // The spawner shares its grove process's stderr: the pipe ends once both have exited.
      let stderr = "";
      grove.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
      await new Promise((resolve) => grove.stderr.once("end", resolve));
      expect(stderr).toBe("");
    }
  });

  it("killed -9 while it runs the only thing a process waits for: the wait ends lost, the process does not just exit", async () => {
    const module = pathToFileURL(fileURLToPath(new URL("./process-spawner.ts", import.meta.url))).href;
    // A headless session creating its worktrees waits on git alone: no socket or timer of its own keeps it alive.
    const code = `import { useProcessSpawner, processSpawnerReady, spawnProcess } from ${JSON.stringify(module)};
useProcessSpawner();
const spawnerPid = await processSpawnerReady();
// It writes until the spawner is gone (then its stdout breaks and it dies): running when the spawner is killed.
const script = "setInterval(() => process.stdout.write('.'), 50)";
let isReported = false;
spawnProcess({ file: process.execPath, args: ["-e", script], cwd: ".", env: { PATH: process.env.PATH }, input: Buffer.alloc(0) }, {
  onStdout() { if (!isReported) console.log(spawnerPid); isReported = true; }, onStderr() {}, onEnd(end) { console.log(JSON.stringify(end)); },
});`;
    const grove = spawn(process.execPath, ["--import", tsxLoader, "--input-type=module", "-e", code], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    const lines = linesOf(grove.stdout);
    const exited = new Promise<number | null>((resolve) => grove.on("close", (exitCode) => resolve(exitCode)));
    process.kill(Number(await lines.next()), "SIGKILL");
    expect(JSON.parse(await lines.next())).toMatchObject({ kind: "lost" });
    expect(await exited).toBe(0);
  });

  it("SIGINT the moment it started, before Node set it to ignore it: git runs, started here meanwhile", async () => {
    stopProcessSpawner();
    useProcessSpawner();
    // A Ctrl-C (or a supervisor's SIGTERM to the process group) just as the runner or a session starts.
    process.kill(processSpawnerPid() as number, "SIGINT");
    expect((await runGit(["rev-parse", "--abbrev-ref", "HEAD"], { cwd: repo.dir })).stdout).toBe("main\n");
    expect(await processSpawnerReady()).toBeUndefined();
  });

  it("once stopped, starts processes from this process again", async () => {
    stopProcessSpawner();
    expect(processSpawnerPid()).toBeUndefined();
    const ran = await collect(process.execPath, ["-e", "process.stdout.write(String(process.ppid))"], {}, "");
    expect(Number(ran.stdout)).toBe(process.pid);
  });

  type Collected = { stdout: string; stdoutBytes: Buffer; end: SpawnEnd };

  function collect(file: string, args: string[], env: Record<string, string>, input: string): Promise<Collected> {
    return new Promise((resolve) => {
      const chunks: Buffer[] = [];
      spawnProcess(
        { file, args, cwd: repo.dir, env: { PATH: process.env.PATH ?? "", ...env }, input: Buffer.from(input) },
        {
          onStdout: (chunk) => chunks.push(chunk),
          onStderr: () => undefined,
          onEnd: (end) => {
            const stdoutBytes = Buffer.concat(chunks);
            resolve({ stdout: stdoutBytes.toString("utf8"), stdoutBytes, end });
          },
        },
      );
    });
  }
});

const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;

function digest(bytes: Buffer): string {
  return createHash("sha256").update(bytes).digest("hex");
}

async function isAlive(pid: number): Promise<boolean> {
  // A zombie has exited; /proc still lists it until its parent reaps it.
  return access(`/proc/${pid}`).then(
    () => !/^\d+ \(.*\) Z/.test(spawnSync("cat", [`/proc/${pid}/stat`]).stdout.toString()),
    () => false,
  );
}

function gitChildrenOf(pid: number): Promise<number> {
  const listed = spawnSync("pgrep", ["-P", String(pid), "git"])
    .stdout.toString()
    .trim();
  return Promise.resolve(listed === "" ? 0 : listed.split("\n").length);
}

function firstLine(stream: NodeJS.ReadableStream): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = "";
    stream.on("data", (chunk: Buffer) => {
      text += chunk.toString("utf8");
      if (text.includes("\n")) resolve(text.split("\n")[0] ?? "");
    });
    stream.on("end", () => reject(new Error(`ended before a line: ${text}`)));
  });
}

/** Each line of a stream in turn; rejects once the stream ended without one. */
function linesOf(stream: NodeJS.ReadableStream): { next: () => Promise<string> } {
  let text = "";
  let isEnded = false;
  const waiting: (() => void)[] = [];
  const wake = () => waiting.splice(0).forEach((resolve) => resolve());
  stream.on("data", (chunk: Buffer) => {
    text += chunk.toString("utf8");
    wake();
  });
  stream.on("end", () => {
    isEnded = true;
    wake();
  });
  return {
    next: async () => {
      while (!text.includes("\n")) {
        if (isEnded) throw new Error(`ended before a line: ${text}`);
        await new Promise<void>((resolve) => waiting.push(resolve));
      }
      const line = text.slice(0, text.indexOf("\n"));
      text = text.slice(line.length + 1);
      return line;
    },
  };
}
