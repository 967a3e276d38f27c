import { RunStateEventSchema } from "@grove/core";
import { startAgentProcess } from "@grove/core/node";
import { makeTempRepo, type TempRepo } from "@grove/core/test-support";
import { mkdtemp, readdir, readFile, realpath, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, expect, it } from "vitest";
import { startRunnerDaemon } from "./daemon.ts";
import { readRunRecord, writeRunRecord } from "./run/run-record.ts";
import { createHubStore, eventsOf, startTestHub, waitFor } from "./test-support/test-hub.ts";

const TOKEN = "runner-token-for-restart-report-01";
const DAEMON_SCRIPT = fileURLToPath(new URL("./test-support/daemon-process.ts", import.meta.url));
const TSX = createRequire(import.meta.url).resolve("tsx");
const cleanups: (() => Promise<unknown>)[] = [];
let repo: TempRepo;

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A repository, a data folder, and a hub that receives events but acknowledges none (one lost before it answers). */
async function withDeafHub(files?: Record<string, string>) {
  repo = await makeTempRepo(files ? { files } : {});
  const dataDir = await realpath(await mkdtemp(join(tmpdir(), "grove-runner-data-")));
  const deaf = await startTestHub({ token: TOKEN, ackEvents: () => false });
  cleanups.push(
    repo.cleanup,
    () => rm(dataDir, { recursive: true, force: true }),
    () => deaf.close(),
  );
  return { dataDir, deaf };
}

/** A runner in a process of its own (daemon-process.ts), serving the repository, for a test to kill -9. */
function runnerProcess(hubUrl: string, dataDir: string) {
  const runner = startAgentProcess([process.execPath, "--import", TSX, DAEMON_SCRIPT, hubUrl, TOKEN, dataDir, repo.dir], {
    cwd: dataDir,
    env: process.env,
    onLine: () => undefined,
  });
  cleanups.push(() => runner.cancel(200).catch(() => undefined));
  return runner;
}

it("a runner killed -9 before the hub acknowledged a left run's interruption leaves it for the next runner to report", async () => {
  const { dataDir, deaf } = await withDeafHub();
  // What a runner killed while its run was live leaves behind.
  const runId = "run-left";
  await writeRunRecord(dataDir, {
    runId,
    sessionId: "session-20260101-1800",
    repo: repo.dir,
    branch: "agent/demo/left",
    state: "running",
  });

  const runner = runnerProcess(deaf.url, dataDir);
  const isReported = (store: typeof deaf.store) =>
    eventsOf(store, "run:state", RunStateEventSchema).some((s) => s.runId === runId && s.state === "interrupted");
  await waitFor(() => isReported(deaf.store), "the restarted runner to report the run interrupted");
  process.kill(runner.pid ?? -1, "SIGKILL");
  await runner.done;
  // The hub never acknowledged them: the runner's outbox journal keeps the run's state and its audit record.
  expect((await readRunRecord(dataDir, runId))?.state).toBe("interrupted");
  expect(await journaled(dataDir)).toEqual(expect.arrayContaining(["run:state", "audit:record"]));

  const hub = await startTestHub({ token: TOKEN, store: createHubStore() });
  cleanups.push(() => hub.close());
  const next = await startRunnerDaemon({ hubUrl: hub.url, token: TOKEN, dataDir, repos: [repo.dir] });
  cleanups.push(() => next.stop());
  await waitFor(() => isReported(hub.store), "the next runner to report the run interrupted");
  const audit = await waitFor(
    () =>
      hub.store.events.find((e) => e.event === "audit:record" && (e.payload as { action?: string }).action === "run.interrupted"),
    "the run's interruption in the hub's audit",
  );
  expect((audit.payload as { details?: object }).details).toMatchObject({ previousState: "running" });
  await waitFor(async () => (await journaled(dataDir)).length === 0, "the acknowledged events to leave the journal");
  // Sent once: the journal's record, not a second one made up by the next runner.
  expect(hub.store.events.filter((e) => e.event === "audit:record")).toHaveLength(1);
  expect((await readRunRecord(dataDir, runId))?.state).toBe("interrupted");
});

it("a run's end that its runner could not get acknowledged (killed -9 while its hub did not answer) reaches the hub through the next runner", async () => {
  const { dataDir, deaf } = await withDeafHub({
    "README.md": "# unheard\n",
    "grove.yaml": `test: '"${process.execPath}" -e "process.exit(0)"'\n`,
  });
  const runner = runnerProcess(deaf.url, dataDir);
  await waitFor(() => deaf.connections > 0, "the runner to connect");
  // A run this runner ends while its hub does not answer: the end is in the record and in the journal only.
  const runId = "run-ended-unheard";
  const tasks = [{ runId, agent: "demo", taskId: "unheard", profile: "demo", prompt: "lines=3" }];
  expect(await deaf.startSession({ sessionId: "session-20260101-1900", repoPath: repo.dir, integration: "main", tasks })).toEqual(
    {
      ok: true,
    },
  );
  await waitFor(async () => (await readRunRecord(dataDir, runId))?.state === "succeeded", "the run to end");
  await waitFor(async () => (await journaled(dataDir)).includes("run:report"), "its report in the journal");
  process.kill(runner.pid ?? -1, "SIGKILL");
  await runner.done;

  const hub = await startTestHub({ token: TOKEN, store: createHubStore() });
  cleanups.push(() => hub.close());
  const next = await startRunnerDaemon({ hubUrl: hub.url, token: TOKEN, dataDir, repos: [repo.dir] });
  cleanups.push(() => next.stop());
  await waitFor(
    () => eventsOf(hub.store, "run:state", RunStateEventSchema).some((s) => s.runId === runId && s.state === "succeeded"),
    "the next runner to tell the hub the run succeeded",
  );
  expect(hub.store.events.some((e) => e.event === "run:report" && (e.payload as { runId?: string }).runId === runId)).toBe(true);
  await waitFor(async () => (await journaled(dataDir)).length === 0, "the journal to empty");
});

/** The events in a runner's outbox journal, oldest first. */
async function journaled(dataDir: string): Promise<string[]> {
  const dir = join(dataDir, "outbox");
  const names = (await readdir(dir).catch(() => [])).filter((name) => name.endsWith(".json")).sort();
  // A file the runner removes (its event acknowledged) between the listing and the read is no longer there.
  const events = await Promise.all(
    names.map((name) =>
      readFile(join(dir, name), "utf8").then(
        (text) => (JSON.parse(text) as { event: string }).event,
        () => null,
      ),
    ),
  );
  return events.filter((event) => event !== null);
}
