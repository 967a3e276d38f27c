import { spawn } from "node:child_process";
import { readdir, readFile, realpath, rm, stat } from "node:fs/promises";
import { mkdtemp } from "node:fs/promises";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, expect, it } from "vitest";
import { makeTempRepo, type TempRepo } from "@grove/core/test-support";
import { buildForProduction, freePort, waitFor } from "@grove/testing";

// `pnpm start` itself (scripts/start.ts over the built bundles): what it leaves on disk, and what a kill -9 of
// its web process does to the runner it supervises beside it.

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../..");
const TSX = createRequire(import.meta.url).resolve("tsx");
let root: string;
let repo: TempRepo;
let output = "";
let start: ReturnType<typeof spawn> | undefined;
let url = "";

/** The pids of `pid`'s children, with their command lines (Linux /proc). */
async function childrenOf(pid: number): Promise<{ pid: number; cmdline: string }[]> {
  const text = await readFile(`/proc/${pid}/task/${pid}/children`, "utf8").catch(() => "");
  const pids = text.trim().split(/\s+/).filter(Boolean).map(Number);
  return Promise.all(
    pids.map(async (child) => ({
      pid: child,
      cmdline: (await readFile(`/proc/${child}/cmdline`, "utf8").catch(() => "")).replaceAll("\0", " "),
    })),
  );
}
const childRunning = async (bundle: string) =>
  (await childrenOf(start?.pid ?? -1)).find((c) => c.cmdline.includes(bundle))?.pid ?? null;

beforeAll(async () => {
  await buildForProduction();
  root = await realpath(await mkdtemp(path.join(os.tmpdir(), "grove-pnpm-start-")));
  repo = await makeTempRepo({ files: { "README.md": "# app\n", "grove.yaml": 'test: node -e "process.exit(0)"\n' } });
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  start = spawn(process.execPath, ["--import", TSX, path.join(repoRoot, "scripts/start.ts")], {
    cwd: repoRoot,
    env: {
      ...process.env,
      PORT: String(port),
      GROVE_DATA_DIR: path.join(root, "data"),
      GROVE_REPOS: repo.dir,
      GROVE_SKIP_BUILD: "1",
      GROVE_RUNNER_TOKEN: "",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  start.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  start.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  await waitFor(
    () => output.includes("runner started for"),
    120_000,
    () => `pnpm start to start the runner:\n${output}`,
  );
}, 600_000);
afterAll(async () => {
  if (start && start.exitCode === null) {
    const exited = new Promise((resolve) => start?.once("exit", resolve));
    start.kill("SIGINT");
    await exited;
  }
  await repo.cleanup();
  await rm(root, { recursive: true, force: true });
});

it("keeps its data dir owner-only: the dir 0700, the runner token, database and every other file 0600", async () => {
  const dataDir = path.join(root, "data");
  await waitFor(
    async () => (await readdir(dataDir)).includes("runner-token"),
    30_000,
    () => "the runner token",
  );
  const wrong: string[] = [];
  for (const entry of [dataDir, ...(await readdir(dataDir, { recursive: true })).map((name) => path.join(dataDir, name))]) {
    const info = await stat(entry).catch(() => null);
    if (!info || entry.includes(`${path.sep}demo-repo`)) continue;
    const expected = info.isDirectory() ? 0o700 : 0o600;
    if ((info.mode & 0o777) !== expected)
      wrong.push(`${path.relative(dataDir, entry) || "."} ${(info.mode & 0o777).toString(8)}`);
  }
  expect(wrong).toEqual([]);
  expect((await stat(path.join(dataDir, "runner-token"))).mode & 0o777).toBe(0o600);
  // It says where another machine's runner finds the token, and never prints the token itself.
  const token = (await readFile(path.join(dataDir, "runner-token"), "utf8")).trim();
  expect(output).toContain(`the token in ${path.join(dataDir, "runner-token")}`);
  expect(output).not.toContain(token);
});

it("restarts the web process after kill -9 and leaves the runner running", { timeout: 120_000 }, async () => {
  const web = await childRunning("server.mjs");
  const runner = await childRunning("grove.mjs");
  expect(web).not.toBeNull();
  expect(runner).not.toBeNull();
  process.kill(web ?? -1, "SIGKILL");
  await waitFor(
    async () => {
      const again = await childRunning("server.mjs");
      return (
        again !== null &&
        again !== web &&
        (await fetch(`${url}/api/health`).then(
          (r) => r.ok,
          () => false,
        ))
      );
    },
    60_000,
    () => `the web process to come back:\n${output}`,
  );
  expect(output).toMatch(/grove: web was killed by SIGKILL after .*; restarting it in 1 s \(restart 1\)/);
  expect(await childRunning("grove.mjs")).toBe(runner);
});
