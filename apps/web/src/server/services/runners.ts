import { z } from "zod";
import type { Db } from "@grove/db";
import type { Hub } from "../hub/create-hub.ts";

const RunnerReposSchema = z.array(z.object({ path: z.string(), name: z.string(), integration: z.string() }));
export type RunnerRepo = z.infer<typeof RunnerReposSchema>[number];

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
    .flatMap((r) => parseRunnerRepos(r.repos).map((repo) => ({ ...repo, runnerId: r.id, runnerName: r.name, online: deps.hub.isRunnerOnline(r.id) })))
    .sort((a, b) => Number(b.online) - Number(a.online));
}
