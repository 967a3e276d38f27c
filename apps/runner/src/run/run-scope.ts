import {
  agentBranch,
  type RunnerAuditAction,
  type RunState,
  type SessionBudget,
  type TaskSpec,
  describeError,
  isTerminalRunState,
} from "@grove/core";
import type { RepoContext } from "@grove/core/node";
import type { AdmissionTicket } from "../admission/admission-gate.ts";
import type { Logger } from "../logger.ts";
import type { HubOutbox } from "../hub/hub-outbox.ts";
import type { LogShipper, RunLog } from "../log/run-log.ts";
import type { RunLeases } from "./run-leases.ts";
import type { RunPaths } from "./run-paths.ts";
import type { ProgressSink } from "./run-progress.ts";
import { writeRunRecord, type RecordedUsage, type RunRecord } from "./run-record.ts";
import { addTo, type RunSpend, type SessionSpend } from "./session-spend.ts";

export type RunDeps = {
  hub: HubOutbox;
  shipper: LogShipper;
  leases: RunLeases;
  dataDir: string;
  log: Logger;
  /** Where progress of a run's long steps goes (run-progress.ts); none: git checks out without reporting. */
  progress?: ProgressSink;
  /** What each session's runs used so far (stored in the run records), checked against its budget live. */
  spend: SessionSpend;
  /** Called once the run sent its final state: it no longer touches its worktree. */
  onEnded?: () => void;
};
/** `budget`: the session's own, set when it started; without one, grove.yaml's applies. */
export type RunRequest = { sessionId: string; integration: string; repo: RepoContext; task: TaskSpec; budget?: SessionBudget };
/** Why a run was stopped from outside: a user's cancel, or the runner shutting down. */
export type StopReason = "cancelled" | "interrupted";

/** Everything one run's steps share: its request, files, log, and how it tells the hub and its record. */
export type RunScope = {
  deps: RunDeps;
  req: RunRequest;
  paths: RunPaths;
  branch: string;
  runLog: RunLog;
  /** PORT, GROVE_PORTS and GROVE_SLOT of the run's lease, for the agent and the repo's commands. */
  leaseEnv: Record<string, string>;
  /** `waiting`: why the step the run is in has not started yet (run-admission.ts). */
  setState(state: RunState, extra?: { worktreePath?: string; baseSha?: string; error?: string; waiting?: string }): void;
  audit(action: RunnerAuditAction, fields?: { sha?: string; details?: Record<string, unknown> }): void;
  system(text: string): void;
  /** The agent's process group is up (recorded for recovery and `grove doctor`). */
  onAgentStarted(pgid: number): void;
  /** Resolves once the run record on disk is up to date. */
  recorded(): Promise<void>;
  /** The run's share of its session's spend, once it joined it (run-task.ts). */
  spend: RunSpend | null;
  /** Why the session's budget stopped this run; null when it did not. */
  budgetStop: string | null;
  /** The run's admission (run-admission.ts) while it holds one: its processes are measured against it. */
  ticket: AdmissionTicket | null;
  /** The setup inputs (setup-inputs.ts) the worktree's last setup ran with; null before one succeeded. */
  setupKey: string | null;
  /** What the agent used so far (this attempt), as its CLI reported it: recorded, and counted against the budget. */
  meter(usage: RecordedUsage): void;
};

export function createRunScope(deps: RunDeps, req: RunRequest, paths: RunPaths, runLog: RunLog): RunScope {
  const { task } = req;
  const branch = agentBranch(task.agent, task.taskId);
  let record: Omit<RunRecord, "updatedAt"> = {
    runId: task.runId,
    sessionId: req.sessionId,
    repo: req.repo.repo,
    branch,
    state: "queued",
  };
  let recording: Promise<void> = Promise.resolve();
  let metered: RecordedUsage | null = null;
  const remember = (patch: Partial<RunRecord>) => {
    record = { ...record, ...patch };
    const snapshot = record;
    recording = recording
      .then(() => writeRunRecord(deps.dataDir, snapshot))
      .catch((error: unknown) => deps.log(`run ${task.runId}: cannot write its record: ${describeError(error)}`));
  };
  const scope: RunScope = {
    deps,
    req,
    paths,
    branch,
    runLog,
    leaseEnv: {},
    setState(state, extra) {
      remember({ state, ...(extra?.worktreePath ? { worktreePath: extra.worktreePath } : {}) });
      void deps.hub.send("run:state", { runId: task.runId, state, at: Date.now(), ...extra });
      if (isTerminalRunState(state)) deps.onEnded?.();
    },
    audit(action, fields) {
      void deps.hub.send("audit:record", {
        action,
        subject: branch,
        sessionId: req.sessionId,
        runId: task.runId,
        branch,
        ...(fields?.sha ? { sha: fields.sha } : {}),
        details: { ...fields?.details, agent: task.agent, taskId: task.taskId },
      });
    },
    // One row per line: a message that spans lines (a schema error, say) must not put line breaks in a log row.
    system: (text) => {
      for (const line of text.split(/\r?\n/)) runLog.write("system", line);
    },
    onAgentStarted: (pgid) => remember({ pgid }),
    recorded: () => recording,
    spend: null,
    budgetStop: null,
    ticket: null,
    setupKey: null,
    meter(usage) {
      const spend = scope.spend;
      if (!spend || isSameUsage(usage, metered)) return;
      metered = usage;
      remember({ usage: addTo(spend.before, usage), usageBefore: spend.before });
      const crossed = spend.update(usage);
      if (crossed === null) return;
      scope.system(`${crossed}: stopping the session's queued and running agents`);
      scope.audit("session.budget_exceeded", {
        details: { reason: crossed, budget: req.budget ?? req.repo.config.budget, spent: spend.totals() },
      });
    },
  };
  return scope;
}

function isSameUsage(a: RecordedUsage, b: RecordedUsage | null): boolean {
  return b !== null && a.tokensIn === b.tokensIn && a.tokensOut === b.tokensOut && a.costUsd === b.costUsd;
}

/** run.ended's details of a run the session's budget stopped: that it did, and what the session had spent. */
export function budgetDetails(scope: RunScope): Record<string, unknown> {
  return scope.budgetStop === null ? {} : { budgetExceeded: true, spent: scope.spend?.totals() };
}

export function stopState(signal: AbortSignal): RunState {
  return signal.reason === "interrupted" ? "interrupted" : "cancelled";
}

export function describeExit(exit: { exitCode: number | null; signal: string | null; timedOut?: boolean }): string {
  if (exit.timedOut) return "timed out";
  if (exit.signal) return `killed by ${exit.signal}`;
  return `exit code ${exit.exitCode ?? "unknown"}`;
}
