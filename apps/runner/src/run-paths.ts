import { DomainError } from "@grove/core";
import { join } from "node:path";

export type RunPaths = { runDir: string; contextPack: string; result: string; spool: string };

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
    spool: join(dataDir, "spool", `${runId}.jsonl`),
  };
}

export function assertSafeRunId(runId: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/.test(runId) || runId.includes("..")) {
    throw new DomainError("INVALID_NAME", `Invalid run id "${runId.slice(0, 80)}": only letters, digits, '.', '_' and '-' are allowed.`);
  }
  return runId;
}
