import { RunStateSchema, TERMINAL_RUN_STATES, type RunState } from "@grove/core";
import { mkdir, readdir, readFile, rename, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from "@grove/core/private-files";
import { z } from "zod";

/** What a run's agent used, as its CLI reported it, kept up to date while it runs (see session-spend.ts). */
export const RecordedUsageSchema = z.object({
  tokensIn: z.number().int().nonnegative(),
  tokensOut: z.number().int().nonnegative(),
  costUsd: z.number().nonnegative().nullable(),
});
export type RecordedUsage = z.infer<typeof RecordedUsageSchema>;

/**
 * What the runner remembers of a run across its own restarts (`<dataDir>/runs/<runId>/run.json`):
 * enough to mark a run interrupted when the runner died under it, to never start a run id twice, and what
 * its agent used (all attempts of the run id), which its session's budget counts after a restart.
 */
export const RunRecordSchema = z.object({
  runId: z.string(),
  sessionId: z.string(),
  repo: z.string(),
  branch: z.string(),
  state: RunStateSchema,
  worktreePath: z.string().optional(),
  /** Process group of the agent while it runs, for `grove doctor` to find orphans. */
  pgid: z.number().int().optional(),
  usage: RecordedUsageSchema.optional(),
  /** What earlier attempts of the run id used (part of `usage`), so a recount of this attempt can add to it. */
  usageBefore: RecordedUsageSchema.optional(),
  updatedAt: z.number().int(),
});
export type RunRecord = z.infer<typeof RunRecordSchema>;

export const TERMINAL_STATES: readonly RunState[] = TERMINAL_RUN_STATES;

export function runRecordPath(dataDir: string, runId: string): string {
  return join(dataDir, "runs", runId, "run.json");
}

/** Replaces the record atomically (write + rename), so a crash never leaves half a file. */
export async function writeRunRecord(dataDir: string, record: Omit<RunRecord, "updatedAt">): Promise<void> {
  const path = runRecordPath(dataDir, record.runId);
  await mkdir(dirname(path), { recursive: true, mode: PRIVATE_DIR_MODE });
  await writeFile(`${path}.tmp`, `${JSON.stringify({ ...record, updatedAt: Date.now() }, null, 2)}\n`, {
    mode: PRIVATE_FILE_MODE,
  });
  await rename(`${path}.tmp`, path);
}

export async function readRunRecord(dataDir: string, runId: string): Promise<RunRecord | null> {
  const text = await readFile(runRecordPath(dataDir, runId), "utf8").catch(() => null);
  if (text === null) return null;
  try {
    const parsed = RunRecordSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export async function listRunRecords(dataDir: string): Promise<RunRecord[]> {
  const ids = await readdir(join(dataDir, "runs")).catch(() => []);
  const records = await Promise.all(ids.map((id) => readRunRecord(dataDir, id)));
  return records.filter((record): record is RunRecord => record !== null);
}
