import { RunStateEventSchema } from "@grove/core";
import { isGroupAlive, startAgentProcess } from "@grove/core/node";
import { makeTempRepo, type TempRepo } from "@grove/core/test-support";
import { spawn } from "node:child_process";
import { mkdir, mkdtemp, open, readdir, readFile, readlink, realpath, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, expect, it } from "vitest";
import { startRunnerDaemon } from "./daemon.ts";
import { runPaths } from "./run/run-paths.ts";
import { writeRunRecord } from "./run/run-record.ts";
import { readSpooledLines } from "./test-support/spool-files.ts";
import { createHubStore, eventsOf, startTestHub, waitFor } from "./test-support/test-hub.ts";

const TOKEN = "runner-token-for-restart-tests-01";
const DAEMON_SCRIPT = fileURLToPath(new URL("./test-support/daemon-process.ts", import.meta.url));
const TSX = createRequire(import.meta.url).resolve("tsx");
const cleanups: (() => Promise<unknown>)[] = [];
let repo: TempRepo;

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function processesIn(dir: string): Promise<number[]> {
  const found: number[] = [];
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const cwd = await readlink(`/proc/${entry}/cwd`).catch(() => "");
    if (cwd === dir || cwd.startsWith(`${dir}/`)) found.push(Number(entry));
  }
  return found;
}

it("after kill -9 of the runner, a restarted runner ships every spooled line, marks the run interrupted and stops the orphaned agent", async () => {
  repo = await makeTempRepo();
  const dataDir = await realpath(await mkdtemp(join(tmpdir(), "grove-runner-data-")));
  let acking = false;
  const store = createHubStore();
  const hub = await startTestHub({ token: TOKEN, store, ackLogs: () => acking });
  cleanups.push(
    repo.cleanup,
    () => rm(dataDir, { recursive: true, force: true }),
    () => hub.close(),
  );

  const output: string[] = [];
  const runner = startAgentProcess([process.execPath, "--import", TSX, DAEMON_SCRIPT, hub.url, TOKEN, dataDir, repo.dir], {
    cwd: dataDir,
    env: { ...process.env, GROVE_DEMO_DELAY_MS: "5" },
    onLine: (_stream, text) => output.push(text),
  });
  cleanups.push(() => runner.cancel(200).catch(() => undefined));
  await waitFor(
    () => hub.connections > 0 && store.events.some((e) => e.event === "runner:hello"),
    "the runner process to connect",
  );

  // The hub stores batches but acks none, so everything stays in the runner's spool.
  const task = { runId: "run-crash", agent: "demo", taskId: "crash", profile: "demo", prompt: "lines=40 hang" };
  expect(
    await hub.startSession({ sessionId: "session-20260101-1500", repoPath: repo.dir, integration: "main", tasks: [task] }),
  ).toEqual({ ok: true });
  const running = await waitFor(
    () => eventsOf(store, "run:state", RunStateEventSchema).find((s) => s.state === "running"),
    "running",
  );
  const spoolPath = join(dataDir, "spool", "run-crash.jsonl");
  await waitFor(async () => (await readFile(spoolPath, "utf8").catch(() => "")).includes("never happens"), "the agent to hang");

  process.kill(runner.pid ?? -1, "SIGKILL");
  await runner.done;
  const worktree = running.worktreePath ?? "";
  // The agent runs in its own process group, so it outlives the runner: an orphan, until the restart.
  cleanups.push(async () => {
    for (const pid of await processesIn(worktree)) process.kill(pid, "SIGKILL");
  });
  expect((await processesIn(worktree)).length).toBeGreaterThan(0);
  const spooled = await readSpooledLines(spoolPath);
  expect(spooled.length).toBeGreaterThan(40);

  acking = true;
  const restarted = await startRunnerDaemon({ hubUrl: hub.url, token: TOKEN, dataDir, repos: [repo.dir] });
  cleanups.push(() => restarted.stop());

  const interrupted = await waitFor(
    () => eventsOf(store, "run:state", RunStateEventSchema).find((s) => s.runId === "run-crash" && s.state === "interrupted"),
    "the run to be marked interrupted",
  );
  expect(interrupted.error).toMatch(/worktree and branch are kept/);
  expect(await processesIn(worktree)).toEqual([]);
  // The spooled lines, what the agent printed when it was stopped (read back from its output file), the note.
  await waitFor(() => (store.lines.get("run-crash")?.size ?? 0) > spooled.length + 1, "the spooled lines and the restart's note");
  const stored = [...(store.lines.get("run-crash")?.values() ?? [])].sort((a, b) => a.seq - b.seq);
  expect(stored.map((l) => l.seq)).toEqual(stored.map((_, i) => i + 1));
  for (const line of spooled) expect(stored[line.seq - 1]).toEqual(line);
  expect(stored.slice(spooled.length).map((l) => [l.seq, l.stream])).toEqual([
    [spooled.length + 1, "stdout"],
    [spooled.length + 2, "system"],
  ]);
  expect(stored.at(-2)?.text).toMatch(/received SIGTERM/);
  expect(stored.at(-1)?.text).toMatch(/outlived the runner and was stopped .*\(1 line, above\)$/);
  const audit = store.events.find(
    (e) => e.event === "audit:record" && (e.payload as { action?: string }).action === "run.interrupted",
  );
  expect((audit?.payload as { details?: object } | undefined)?.details).toMatchObject({ orphanStopped: true });
  await waitFor(async () => !(await readdir(join(dataDir, "spool"))).includes("run-crash.jsonl"), "the acked spool to go");

  expect(await repo.git(["branch", "--list", "agent/demo/crash"])).toContain("agent/demo/crash");
  const listed = await repo.git(["worktree", "list", "--porcelain"]);
  expect(listed).toContain(worktree);
  // No agent is left in it: grove's lock is released, so `grove doctor` finds nothing to fix.
  expect(listed).not.toContain("locked");
  // A resent session:start does not run the interrupted run again.
  expect(
    await hub.startSession({ sessionId: "session-20260101-1500", repoPath: repo.dir, integration: "main", tasks: [task] }),
  ).toEqual({ ok: true });
  await new Promise((resolve) => setTimeout(resolve, 200));
  expect(eventsOf(store, "run:state", RunStateEventSchema).filter((s) => s.state === "preparing")).toHaveLength(1);
});

it("after kill -9 before the runner recorded its agent's process group, a restarted runner finds the agent by its run id, stops it and logs its output", async () => {
  repo = await makeTempRepo();
  const dataDir = await realpath(await mkdtemp(join(tmpdir(), "grove-runner-data-")));
  const store = createHubStore();
  const hub = await startTestHub({ token: TOKEN, store });
  cleanups.push(
    repo.cleanup,
    () => rm(dataDir, { recursive: true, force: true }),
    () => hub.close(),
  );
  // What a runner killed just after it started the agent leaves: a live run whose record has no pgid yet,
  // and the agent, in its own process group, printing into its capture file.
  const runId = "run-unrecorded";
  const sessionId = "session-20260101-1700";
  await writeRunRecord(dataDir, { runId, sessionId, repo: repo.dir, branch: "agent/demo/unrecorded", state: "running" });
  const capture = runPaths(dataDir, runId).agentCapture;
  await mkdir(capture, { recursive: true });
  const stdout = await open(join(capture, "stdout.log"), "a");
  const agentScript = `process.on("SIGTERM", () => { console.log("stopped"); process.exit(143); });
console.log("up"); setInterval(() => {}, 60000);`;
  const agent = spawn(process.execPath, ["-e", agentScript], {
    cwd: dataDir,
    detached: true,
    env: { ...process.env, GROVE_RUN_ID: runId },
    stdio: ["ignore", stdout.fd, stdout.fd],
  });
  await stdout.close();
  const pgid = agent.pid ?? -1;
  cleanups.push(() => {
    if (isGroupAlive(pgid)) process.kill(-pgid, "SIGKILL");
    return Promise.resolve();
  });
  await waitFor(async () => (await readFile(join(capture, "stdout.log"), "utf8")).includes("up\n"), "the agent to print");

  const restarted = await startRunnerDaemon({ hubUrl: hub.url, token: TOKEN, dataDir, repos: [repo.dir] });
  cleanups.push(() => restarted.stop());

  await waitFor(() => (store.lines.get(runId)?.size ?? 0) >= 3, "the agent's lines and the restart's note");
  expect(isGroupAlive(pgid)).toBe(false);
  const stored = [...(store.lines.get(runId)?.values() ?? [])].sort((a, b) => a.seq - b.seq);
  expect(stored.map((l) => [l.seq, l.stream, l.text.replace(/\(process group \d+\)/, "")])).toEqual([
    [1, "stdout", "up"],
    [2, "stdout", "stopped"],
    [3, "system", expect.stringMatching(/outlived the runner and was stopped .*\(2 lines, above\)$/)],
  ]);
  expect(stored[2]?.text).toContain(`(process group ${pgid})`);
  const audit = store.events.find(
    (e) => e.event === "audit:record" && (e.payload as { action?: string }).action === "run.interrupted",
  );
  expect((audit?.payload as { details?: object } | undefined)?.details).toMatchObject({ orphanStopped: true, pgid });
});
