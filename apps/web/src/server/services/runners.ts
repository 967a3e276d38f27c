import { RunnerRepoSchema, type RunnerRepo } from "@grove/core";
import type { Db } from "@grove/db";
import { z } from "zod";
import type { Hub } from "../hub/create-hub.ts";

// The column holds the repos of the runner's last hello, stored as that schema parsed them.
const RunnerReposSchema = z.array(RunnerRepoSchema);

export function parseRunnerRepos(json: string): RunnerRepo[] {
  try {
    const parsed = RunnerReposSchema.safeParse(JSON.parse(json));
    return parsed.success ? parsed.data : [];
  } catch {
    return [];
  }
}

export type ServedRepo = RunnerRepo & { runnerId: string; runnerName: string; online: boolean };

/** Every repository an active runner reported, online ones first. */
export async function servedRepos(deps: { db: Db; hub: Hub }): Promise<ServedRepo[]> {
  const runners = await deps.db.runner.findMany({ where: { revokedAt: null }, orderBy: { createdAt: "asc" } });
  return runners
    .flatMap((r) =>
      parseRunnerRepos(r.repos).map((repo) => ({
        ...repo,
        runnerId: r.id,
        runnerName: r.name,
        online: deps.hub.isRunnerOnline(r.id),
      })),
    )
    .sort((a, b) => Number(b.online) - Number(a.online));
}

/** The named runners' names and announced repositories, by id (one query; none for no ids). */
export async function runnersById(db: Db, ids: Iterable<string>): Promise<Map<string, { name: string; repos: RunnerRepo[] }>> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return new Map();
  const runners = await db.runner.findMany({ where: { id: { in: unique } }, select: { id: true, name: true, repos: true } });
  return new Map(runners.map((r) => [r.id, { name: r.name, repos: parseRunnerRepos(r.repos) }]));
}
