import type { RunState, TaskSpec } from "@grove/core";
import type { RepoContext } from "@grove/core/node";
import type { Logger } from "./hub-socket.ts";
import type { HubOutbox } from "./hub-outbox.ts";
import type { LogShipper, RunLog } from "./log-shipper.ts";
import type { RunPaths } from "./run-paths.ts";

export type RunDeps = { hub: HubOutbox; shipper: LogShipper; dataDir: string; log: Logger };
export type RunRequest = { sessionId: string; integration: string; repo: RepoContext; task: TaskSpec };
/** Why a run was stopped from outside: a user's cancel, or the runner shutting down. */
export type StopReason = "cancelled" | "interrupted";

export type RunScope = {
  deps: RunDeps;
  req: RunRequest;
  paths: RunPaths;
  branch: string;
  runLog: RunLog;
  setState(state: RunState, extra?: { worktreePath?: string; baseSha?: string; error?: string }): void;
  audit(action: string, fields?: { sha?: string; details?: Record<string, unknown> }): void;
  system(text: string): void;
  /** The agent's process group is up (recorded for recovery and `grove doctor`). */
  onAgentStarted(pgid: number): void;
};

export function stopState(signal: AbortSignal): RunState {
  return signal.reason === "interrupted" ? "interrupted" : "cancelled";
}

export function describeExit(exit: { exitCode: number | null; signal: string | null; timedOut?: boolean }): string {
  if (exit.timedOut) return "timed out";
  if (exit.signal) return `killed by ${exit.signal}`;
  return `exit code ${exit.exitCode ?? "unknown"}`;
}
