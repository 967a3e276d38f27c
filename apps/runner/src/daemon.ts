import { agentBranch, MergeExecuteSchema, QUEUE_LEASE_MS, SessionStartSchema, type Ack, describeError } from "@grove/core";
import { openRepo, type RepoContext } from "@grove/core/node";
import { realpath } from "node:fs/promises";
import { join, resolve } from "node:path";
import { z } from "zod";
import { createHubLink } from "./hub/hub-socket.ts";
import { queueLeaseOptions, repositoryIdsOf, runnerHello, thisRunnerProcess } from "./hub/served-repositories.ts";
import { createRunnerSocket, reconnectAfterRefusal, rotateHubUrls } from "./hub/runner-connection.ts";
import type { Logger } from "./logger.ts";
import { excludeDataDir } from "./repo-setup/exclude-data-dir.ts";
import { createHubOutbox } from "./hub/hub-outbox.ts";
import { createOutboxJournal } from "./hub/outbox-journal.ts";
import { createLogShipper, type ShipperTuning } from "./log/log-shipper.ts";
import { recoverInterruptedMerges } from "./merge/recover-interrupted-merges.ts";
import { serveHubMerges } from "./merge/serve-hub-merges.ts";
import { assertTasksCanStart, queueTaskRun, type TaskRun } from "./run/task-runs.ts";
import { registerMergeWithdraw } from "./merge/merge-withdraw.ts";
import { registerMergePrioritize } from "./merge/queue-reports.ts";
import { recoverPreviousRuns } from "./run/recover-previous-runs.ts";
import { holdDataDir } from "./run/data-dir-lock.ts";
import { registerRunCancel } from "./run/run-cancel.ts";
import { checkSessionStart } from "./run/session-start-checks.ts";
import { admissionPeaksFile } from "./admission/memory-peaks.ts";
import { createRunLeases } from "./run/run-leases.ts";
import { createSessionSpend } from "./run/session-spend.ts";
import { listRunRecords } from "./run/run-record.ts";
import { runTask } from "./run/run-task.ts";
import { registerRunnerQueries } from "./hub/runner-queries.ts";
import { sendProgressToHub } from "./run/run-progress.ts";

export const RUNNER_VERSION = "0.1.0";
const STOP_DRAIN_MS = 3_000;
const DEFAULT_MAX_RUNS = 8;

export type RunnerDaemonOptions = {
  hubUrl: string;
  /** Every dashboard instance this runner may use (sharing one database), `hubUrl` among them; tried in turn. */
  hubUrls?: readonly string[];
  token: string;
  dataDir: string;
  repos: string[];
  onLog?: (msg: string) => void;
  /** Runs beyond this many wait in a queue (state "queued"). Default 8. */
  maxConcurrentRuns?: number;
  shipper?: Partial<ShipperTuning>;
  radarIntervalMs?: number; // how often the overlap radar rescans the agent branches (default 2 s)
  /** How long a merge queue stays this runner's without a renewal (GROVE_QUEUE_LEASE_MS). Default 30 s. */
  queueLeaseMs?: number;
};
/** `refused`: the hub's reason, when it refused this process at its first connection (another live one uses the token, or it does not know the token). */
export type RunnerDaemon = { stop(): Promise<void>; activity(): { runs: number; merges: number }; refused: Promise<string> };

/**
 * Connects to the hub's /runner namespace and serves its repositories: starts sessions (one agent
 * run per task, concurrently), executes approved merges and cancels runs, streaming everything back.
 */
export async function startRunnerDaemon(opts: RunnerDaemonOptions): Promise<RunnerDaemon> {
  const log: Logger = opts.onLog ?? (() => undefined);
  const dataDir = resolve(opts.dataDir);
  const releaseDataDir = await holdDataDir(dataDir);
  const served = await Promise.all(opts.repos.map((path) => openRepo(path)));
  for (const ctx of served) await excludeDataDir(ctx, dataDir);
  const repositoryIds = await repositoryIdsOf(served);
  const hello = () => runnerHello(served, repositoryIds, RUNNER_VERSION);

  const me = thisRunnerProcess();
  const socket = createRunnerSocket(opts.hubUrl, opts.token, me);
  const hubs = rotateHubUrls(socket, [opts.hubUrl, ...(opts.hubUrls ?? []).filter((url) => url !== opts.hubUrl)], log);
  const link = createHubLink(socket, hello, log);
  const hub = createHubOutbox(link, log, createOutboxJournal(join(dataDir, "outbox"), log));
  await hub.restore(); // before anything of this runner's: what the last one here could not get acknowledged
  const shipper = createLogShipper(link, log, opts.shipper);
  const progress = sendProgressToHub(link, log);
  const leases = createRunLeases({
    maxRuns: opts.maxConcurrentRuns ?? DEFAULT_MAX_RUNS,
    peaksFile: admissionPeaksFile(dataDir),
  });
  const spend = createSessionSpend(dataDir);
  const hubMerges = serveHubMerges({
    hub,
    link,
    leases,
    log,
    repos: served.map((ctx) => ctx.repo),
    radarIntervalMs: opts.radarIntervalMs,
    queueLease: queueLeaseOptions(served, repositoryIds, opts.queueLeaseMs ?? QUEUE_LEASE_MS.default, me),
  });
  const runs = new Map<string, TaskRun>();
  const merges = new Set<Promise<unknown>>();
  let stopping = false;

  /** The served repository a hub request names, with its grove.yaml read afresh. */
  async function findRepo(path: string): Promise<RepoContext | null> {
    const real = await realpath(path).catch(() => null);
    const match = served.find((ctx) => ctx.repo === real || ctx.repo === path);
    return match ? openRepo(match.repo) : null;
  }
  const refuse = (error: string): Ack => ({ ok: false, error });
  registerRunnerQueries(socket, { findRepo, log, dataDir });

  socket.on("session:start", (payload, ack) => {
    const reply = typeof ack === "function" ? ack : () => undefined;
    const parsed = SessionStartSchema.safeParse(payload);
    if (!parsed.success) return reply(refuse(`invalid session:start:\n${z.prettifyError(parsed.error)}`));
    const session = parsed.data;
    if (stopping) return reply(refuse("the runner is shutting down"));
    try {
      assertTasksCanStart(runs, session.tasks);
    } catch (error) {
      return reply(refuse(describeError(error)));
    }
    void findRepo(session.repoPath).then(
      async (repo) => {
        if (!repo) return reply(refuse(`this runner does not serve ${session.repoPath}`));
        try {
          await checkSessionStart(session, repo, dataDir);
        } catch (error) {
          return reply(refuse(describeError(error)));
        }
        reply({ ok: true });
        log(`session ${session.sessionId}: ${session.tasks.length} task(s) in ${repo.repo}`);
        for (const task of session.tasks) {
          // A resent session:start must not start a run twice.
          if (runs.has(task.runId) || ranBefore.has(task.runId)) continue;
          ranBefore.add(task.runId);
          const abort = new AbortController();
          const req = { sessionId: session.sessionId, integration: session.integration, repo, task, budget: session.budget };
          const run = queueTaskRun(runs, agentBranch(task.agent, task.taskId), abort, (onEnded) =>
            runTask({ hub, shipper, leases, dataDir, log, progress, spend, onEnded }, req, abort.signal),
          );
          run.done = run.done
            .catch((error: unknown) => {
              log(`run ${task.runId} crashed: ${describeError(error)}`);
              return "failed" as const;
            })
            .finally(() => {
              runs.delete(task.runId);
              hubMerges.poke();
            });
          runs.set(task.runId, run);
        }
      },
      (error: unknown) => reply(refuse(describeError(error))),
    );
  });

  socket.on("merge:execute", (payload, ack) => {
    const reply = typeof ack === "function" ? ack : () => undefined;
    const parsed = MergeExecuteSchema.safeParse(payload);
    if (!parsed.success) return reply(refuse(`invalid merge:execute:\n${z.prettifyError(parsed.error)}`));
    const req = parsed.data;
    if (stopping) return reply(refuse("the runner is shutting down"));
    // The hub opens a merge request once the run reported; the run may still be shipping its last log lines.
    const finishing = runs.get(req.runId)?.done;
    const merge = findRepo(req.repoPath).then(
      async (repo) => {
        if (!repo) return reply(refuse(`this runner does not serve ${req.repoPath}`));
        // Only the queue's owner lands into its integration branch; the hub sends approvals there.
        const owner = await hubMerges.own(repo, req.integration);
        if (owner.kind !== "owner") return reply(refuse(owner.reason));
        reply({ ok: true });
        await finishing;
        const outcome = await hubMerges.execute(repo, req);
        log(`merge ${req.mergeRequestId} of ${req.branch}: ${outcome.kind}`);
      },
      (error: unknown) => reply(refuse(describeError(error))),
    );
    merges.add(merge);
    void merge.finally(() => merges.delete(merge));
  });

  registerMergeWithdraw(socket, hubMerges, log);
  registerMergePrioritize(socket, hubMerges, log);

  registerRunCancel(socket, runs);

  const refused = reconnectAfterRefusal(socket, { hubs, log, isStopping: () => stopping });
  await recoverPreviousRuns({ hub, shipper, dataDir, log });
  // Headless merge requests (grove session run, grove approve) share this data dir; one a dead process left mid-merge is settled.
  await recoverInterruptedMerges(dataDir, log);
  const ranBefore = new Set((await listRunRecords(dataDir)).map((record) => record.runId));
  socket.connect();

  return {
    refused,
    activity: () => ({ runs: runs.size, merges: merges.size }),
    async stop() {
      if (stopping) return;
      stopping = true;
      for (const run of runs.values()) run.abort.abort("interrupted");
      await Promise.allSettled([...[...runs.values()].map((run) => run.done), ...merges]);
      await hubMerges.stop();
      await hub.drain(STOP_DRAIN_MS);
      socket.disconnect();
      await shipper.stop();
      hub.close();
      await releaseDataDir();
    },
  };
}
