import { DomainError, IdSchema, MergeOutcomeSchema, ShaSchema, TestStatusSchema } from "@grove/core";
import { mkdir, readdir, readFile, rename, rmdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import { assertSafeRunId } from "../run/run-paths.ts";

/**
 * A headless session's merge request that waits for a person (`--approve manual`, or an untested run):
 * kept in the runner's data dir until `grove approve` lands it or `grove reject` turns it down.
 */
export const PendingMergeSchema = z.object({
  runId: IdSchema,
  sessionId: IdSchema,
  repo: z.string().min(1),
  integration: z.string().min(1).max(200),
  branch: z.string().min(1).max(300),
  agent: z.string().min(1).max(64),
  taskId: z.string().min(1).max(64),
  headSha: ShaSchema,
  baseSha: ShaSchema.nullable(),
  commits: z.number().int().nonnegative().nullable(),
  tests: TestStatusSchema,
  result: z.unknown().nullable(),
  openedAt: z.number().int(),
  state: z.enum(["waiting", "merging", "merged", "failed", "rejected"]),
  decidedBy: z.string().max(200).optional(),
  decidedAt: z.number().int().optional(),
  comment: z.string().max(5_000).optional(),
  outcome: MergeOutcomeSchema.optional(),
  /** The grove process landing it, while "merging": one that died leaves it to recoverInterruptedMerges. */
  landing: z.object({ pid: z.number().int(), host: z.string().max(300) }).optional(),
});
export type PendingMerge = z.infer<typeof PendingMergeSchema>;

const dirOf = (dataDir: string) => join(dataDir, "merges");
const fileOf = (dataDir: string, runId: string) => join(dirOf(dataDir), `${assertSafeRunId(runId)}.json`);

/** Writes the request whole (a temporary file renamed over the old one): a reader never sees half of it. */
export async function savePendingMerge(dataDir: string, merge: PendingMerge): Promise<void> {
  await mkdir(dirOf(dataDir), { recursive: true, mode: 0o700 });
  const target = fileOf(dataDir, merge.runId);
  const temp = `${target}.${process.pid}.tmp`;
  await writeFile(temp, `${JSON.stringify(PendingMergeSchema.parse(merge), null, 2)}\n`, { mode: 0o600 });
  await rename(temp, target);
}

export async function listPendingMerges(dataDir: string): Promise<PendingMerge[]> {
  const names = await readdir(dirOf(dataDir)).catch(() => []);
  const merges: PendingMerge[] = [];
  for (const name of names.filter((n) => n.endsWith(".json")).sort()) {
    const parsed = PendingMergeSchema.safeParse(await readJson(join(dirOf(dataDir), name)));
    if (parsed.success) merges.push(parsed.data);
  }
  return merges;
}

/** Finds a request by run id, or by `agent/task` when that names exactly one. */
export async function findPendingMerge(dataDir: string, key: string): Promise<PendingMerge> {
  const all = await listPendingMerges(dataDir);
  const matches = all.filter((m) => m.runId === key || `${m.agent}/${m.taskId}` === key || m.branch === key);
  const waiting = matches.filter((m) => m.state === "waiting");
  const found = waiting.length === 1 ? waiting[0] : matches.length === 1 ? matches[0] : undefined;
  if (found) return found;
  if (matches.length > 1)
    throw new DomainError(
      "INVALID_INPUT",
      `"${key}" names ${matches.length} merge requests; give a run id: ${matches.map((m) => m.runId).join(", ")}`,
    );
  throw new DomainError("NOT_FOUND", `no merge request "${key}" in ${dirOf(dataDir)}`, {
    hint: "`grove approve --list` shows the requests waiting; a session run with --data-dir DIR keeps them there: pass the same --data-dir.",
  });
}

/**
 * Runs `decide` while holding the request's claim (an exclusive folder, so two people — or two terminals —
 * never decide the same request at once). The request is read afresh under the claim.
 */
export async function withPendingMerge<T>(
  dataDir: string,
  runId: string,
  decide: (merge: PendingMerge) => Promise<T>,
): Promise<T> {
  const claim = `${fileOf(dataDir, runId)}.claim`;
  try {
    await mkdir(claim);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") {
      throw new DomainError(
        "INVALID_INPUT",
        `someone is deciding ${runId} right now (${claim} exists; remove it if no grove command is running)`,
      );
    }
    throw error;
  }
  try {
    const merge = PendingMergeSchema.parse(await readJson(fileOf(dataDir, runId)));
    return await decide(merge);
  } finally {
    await rmdir(claim).catch(() => undefined);
  }
}

async function readJson(path: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(path, "utf8"));
  } catch {
    return null;
  }
}
