import { z } from "zod";
import { OverlapSchema, type OverlapEntry } from "../schemas/merge.ts";

const Files = z.array(z.string());
const Overlaps = z.array(OverlapSchema);

/**
 * The merge gate's checks as a merge request stores them (JSON columns), decoded once with these schemas;
 * null = not checked (or unreadable).
 */
export type MergeRequestChecks = {
  conflicts: string[] | null;
  overlaps: OverlapEntry[] | null;
  brainFiles: string[] | null;
};

export function decodeMergeRequestChecks(row: {
  conflicts: string | null;
  overlaps: string | null;
  brainFiles: string | null;
}): MergeRequestChecks {
  return {
    conflicts: readJson(row.conflicts, Files),
    overlaps: readJson(row.overlaps, Overlaps),
    brainFiles: readJson(row.brainFiles, Files),
  };
}

/** Columns the hub itself wrote; anything unreadable counts as not there. */
function readJson<T>(text: string | null, schema: z.ZodType<T>): T | null {
  if (text === null) return null;
  try {
    const parsed = schema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
