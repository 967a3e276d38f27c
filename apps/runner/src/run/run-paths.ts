import { DomainError } from "@grove/core";
import { join } from "node:path";

export type RunPaths = {
  runDir: string;
  contextPack: string;
  result: string;
  /** RESULT's JSON Schema, for a CLI that holds its model's last message to one (Codex's --output-schema). */
  resultSchema: string;
  /** Where a CLI writes its agent's last message (Codex's --output-last-message): a RESULT read before `result`. */
  lastMessage: string;
  spool: string;
  /** Where the agent's stdout/stderr files are written while the runner tails them into the spool. */
  agentCapture: string;
  /** The same for the repo's setup and test commands, apart so that they never clash with the agent's. */
  commandCapture: string;
};

/**
 * Where a run's files live under the runner's data dir, outside every tracked tree. The run id
 * comes from the hub and becomes a file name, so it is checked like any other input.
 */
export function runPaths(dataDir: string, runId: string): RunPaths {
  assertSafeRunId(runId);
  const runDir = join(dataDir, "runs", runId);
  return {
    runDir,
    contextPack: join(runDir, "context-pack.md"),
    result: join(runDir, "result.json"),
    resultSchema: join(runDir, "result-schema.json"),
    lastMessage: join(runDir, "last-message.json"),
    spool: join(dataDir, "spool", `${runId}.jsonl`),
    agentCapture: join(runDir, "capture", "agent"),
    commandCapture: join(runDir, "capture", "commands"),
  };
}

/** A run id becomes a file name: at most this many characters. */
export const MAX_RUN_ID = 200;

export function assertSafeRunId(runId: string): string {
  if (runId.length > MAX_RUN_ID || !/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(runId) || runId.includes("..")) {
    throw new DomainError(
      "INVALID_NAME",
      `Invalid run id "${runId.slice(0, 80)}": only ASCII letters, digits, '.', '_' and '-' are allowed.`,
    );
  }
  return runId;
}
