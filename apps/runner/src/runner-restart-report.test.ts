import { RunStateEventSchema } from "@grove/core";
import { startAgentProcess } from "@grove/core/node";
import { makeTempRepo, type TempRepo } from "@grove/core/test-support";
import { mkdtemp, realpath, rm } from "node:fs/promises";
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

it("a runner killed -9 before the hub acknowledged a left run's interruption leaves it for the next runner to report", async () => {
  repo = await makeTempRepo();
  const dataDir = await realpath(await mkdtemp(join(tmpdir(), "grove-runner-data-")));
  // A hub that receives events but acknowledges none, like one the runner loses before its answers come.
  const deaf = await startTestHub({ token: TOKEN, ackEvents: () => false });
  cleanups.push(
    repo.cleanup,
    () => rm(dataDir, { recursive: true, force: true }),
    () => deaf.close(),
  );
  // What a runner killed while its run was live leaves behind.
  const runId = "run-left";
  await writeRunRecord(dataDir, {
    runId,
    sessionId: "session-20260101-1800",
    repo: repo.dir,
    branch: "agent/demo/left",
    state: "running",
  });

  const runner = startAgentProcess([process.execPath, "--import", TSX, DAEMON_SCRIPT, deaf.url, TOKEN, dataDir, repo.dir], {
    cwd: dataDir,
    env: process.env,
    onLine: () => undefined,
  });
  cleanups.push(() => runner.cancel(200).catch(() => undefined));
  const isReported = (store: typeof deaf.store) =>
    eventsOf(store, "run:state", RunStateEventSchema).some((s) => s.runId === runId && s.state === "interrupted");
  await waitFor(() => isReported(deaf.store), "the restarted runner to report the run interrupted");
  process.kill(runner.pid ?? -1, "SIGKILL");
  await runner.done;
  // The hub never acknowledged it: the record keeps the report for the next runner.
  expect((await readRunRecord(dataDir, runId))?.unreported).toEqual({ previousState: "running", pgid: null, stoppedGroup: null });

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
  await waitFor(async () => !(await readRunRecord(dataDir, runId))?.unreported, "the acknowledged report to leave the record");
  expect((await readRunRecord(dataDir, runId))?.state).toBe("interrupted");
});
