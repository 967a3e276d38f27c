import { randomUUID } from "node:crypto";
import type { RunnerProcess } from "@grove/core";
import { ensureRepositoryId, type RepoContext } from "@grove/core/node";
import { hostname } from "node:os";
import { basename } from "node:path";

/** Each served repository's `grove.repositoryId` (created in its git config when missing), by path. */
export async function repositoryIdsOf(served: RepoContext[]): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  for (const ctx of served) ids.set(ctx.repo, await ensureRepositoryId(ctx.repo));
  return ids;
}

/** What the runner's `runner:hello` says: its host and version, and the repositories it serves. */
export function runnerHello(served: RepoContext[], repositoryIds: ReadonlyMap<string, string>, version: string) {
  return {
    host: hostname().slice(0, 200),
    version,
    repos: served.map((ctx) => ({
      path: ctx.repo,
      name: basename(ctx.repo),
      integration: ctx.config.integration,
      repositoryId: repositoryIds.get(ctx.repo),
    })),
  };
}

/** This process, as the hub knows it: a restarted runner is a new instance (and a new queue-lease holder, with a new epoch). */
export function thisRunnerProcess(): RunnerProcess {
  return { instance: `${process.pid}-${randomUUID()}`, pid: process.pid, host: hostname().slice(0, 255) };
}

/** How this runner contends for the merge queues of its repositories (serve-hub-merges.ts). */
export function queueLeaseOptions(
  served: RepoContext[],
  repositoryIds: ReadonlyMap<string, string>,
  durationMs: number,
  me: RunnerProcess,
) {
  return {
    repositoryIds,
    integrations: new Map(served.map((ctx) => [ctx.repo, ctx.config.integration])),
    durationMs,
    instance: me.instance,
  };
}
