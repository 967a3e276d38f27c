import type { OverlapEntry } from "@grove/core";
import type { Db } from "@grove/db";
import { readJsonArray } from "./merge-checks.ts";

export type BranchRadarView = {
  repoPath: string;
  branch: string;
  integration: string;
  integrationSha: string | null;
  headSha: string;
  live: boolean;
  files: string[];
  workingFiles: string[];
  conflicts: string[] | null;
  brainFiles: string[];
  overlaps: OverlapEntry[];
  updatedAt: Date;
};

/** The radar rows as values (the diffs stay out: merge requests carry them). */
export async function listBranchRadar(db: Db, filter: { repoPath?: string; branch?: string }): Promise<BranchRadarView[]> {
  const rows = await db.branchStatus.findMany({
    where: filter,
    omit: { diff: true },
    orderBy: [{ repoPath: "asc" }, { branch: "asc" }],
    take: 500,
  });
  return rows.map((row) => ({
    repoPath: row.repoPath,
    branch: row.branch,
    integration: row.integration,
    integrationSha: row.integrationSha,
    headSha: row.headSha,
    live: row.live,
    files: readJsonArray(row.files),
    workingFiles: readJsonArray(row.workingFiles),
    conflicts: row.conflicts === null ? null : readJsonArray(row.conflicts),
    brainFiles: readJsonArray(row.brainFiles),
    overlaps: readOverlaps(row.overlaps),
    updatedAt: row.updatedAt,
  }));
}

function readOverlaps(text: string): OverlapEntry[] {
  try {
    const value: unknown = JSON.parse(text);
    if (!Array.isArray(value)) return [];
    return value.flatMap((item: unknown) =>
      typeof item === "object" &&
      item !== null &&
      "file" in item &&
      "branches" in item &&
      typeof item.file === "string" &&
      Array.isArray(item.branches)
        ? [{ file: item.file, branches: item.branches.filter((b: unknown): b is string => typeof b === "string") }]
        : [],
    );
  } catch {
    return [];
  }
}
