// `pnpm bench team`: 20 agents × 100k lines through two dashboard instances vs one, in the same run: lines/s
// persisted, p99 latency to a browser on the OTHER instance than the runner's, and each process's peak RSS.
import { performance } from "node:perf_hooks";
import { queryDirect } from "@grove/db";
import { startPostgres, startRedis, waitFor } from "@grove/testing";
import { finished, POLL_MS } from "./log-bench-stack.ts";
import { startLogClient } from "./log-client-process.ts";
import { cpuSeconds, endedChildrenCpuSeconds, peakRssMb, spawnerCpuSeconds, treeCpuSeconds } from "./process-usage.ts";
import { startTeamBenchStack, type TeamBenchStack } from "./team-bench-stack.ts";

/** `services`: a durable PostgreSQL and a Redis started for this setup (else the instances share one SQLite file). */
export type TeamSetup = { name: string; instances: number; services?: "postgresql+redis" };

async function persisted(stack: TeamBenchStack, runIds: string[]): Promise<number> {
  const runs = await stack.db.run.findMany({ where: { id: { in: runIds } }, select: { lastSeq: true } });
  return runs.reduce((sum, run) => sum + run.lastSeq, 0);
}

/** How many batches (stored chunks) the runs' lines came in. */
async function chunkCount(stack: TeamBenchStack, runIds: string[]): Promise<number> {
  const [row] = await queryDirect<{ n: unknown }>(
    stack.db,
    {
      sqlite: `SELECT COUNT(*) AS "n" FROM "LogChunk" WHERE "runId" IN (SELECT "value" FROM json_each(?1))`,
      postgresql: `SELECT COUNT(*) AS "n" FROM "LogChunk" WHERE "runId" IN (SELECT json_array_elements_text($1::json))`,
    },
    [JSON.stringify(runIds)],
  );
  return Number(row?.n ?? 0);
}

type Services = { postgres: { pid: number } | null; redis: { pid: number } | null };

/** CPU seconds used so far by each part of the deployment: on a loaded machine, what a line costs is steadier than lines/s. */
function cpuUse(stack: TeamBenchStack, services: Services): [string, number][] {
  return [
    ...stack.webs.map((web, i): [string, number] => [`instance ${String.fromCharCode(65 + i)}`, cpuSeconds(web.pid)]),
    // With its process spawner, which starts its git.
    ["runner", cpuSeconds(stack.runnerPid) + spawnerCpuSeconds(stack.runnerPid)],
    ["agents", endedChildrenCpuSeconds(stack.runnerPid)],
    ...(services.postgres ? [["PostgreSQL", treeCpuSeconds(services.postgres.pid)] as [string, number]] : []),
    ...(services.redis ? [["Redis", treeCpuSeconds(services.redis.pid)] as [string, number]] : []),
  ];
}

/** Seconds from the session's start until its last run's agent started (runs wait for setup and admission). */
async function lastAgentStart(stack: TeamBenchStack, runIds: string[], startedAt: number): Promise<number> {
  const runs = await stack.db.run.findMany({ where: { id: { in: runIds } }, select: { startedAt: true } });
  return Math.max(...runs.map((run) => (run.startedAt?.getTime() ?? Number.NaN) - startedAt)) / 1000;
}

/** Lines/s between the moments 10% and 90% of `total` were stored: the pipeline's pace once the runs are going. */
function steadyRate(samples: [number, number][], total: number): number {
  const at = (share: number) => samples.find(([, lines]) => lines >= share * total);
  const [from, to] = [at(0.1), at(0.9)];
  return from && to && to[0] > from[0] ? (to[1] - from[1]) / ((to[0] - from[0]) / 1000) : Number.NaN;
}

async function throughput(stack: TeamBenchStack, services: Services, agents: number, linesEach: number) {
  const client = await startLogClient(stack.browserSide);
  const cpuAtStart = cpuUse(stack, services);
  const startedAt = Date.now();
  const started = performance.now();
  const runIds = await stack.startRuns(Array.from({ length: agents }, () => `flood ${linesEach}`));
  await client.subscribe(runIds.map((runId) => ({ runId, maxSeq: linesEach + 100 })));
  const samples: [number, number][] = [];
  await waitFor(
    async () => {
      samples.push([performance.now(), await persisted(stack, runIds)]);
      return finished(stack, runIds);
    },
    900_000,
    () => "the bench runs to finish",
    POLL_MS,
  );
  const stored = await persisted(stack, runIds);
  const seconds = (performance.now() - started) / 1000;
  const steady = steadyRate(samples, stored);
  const agentsStarted = await lastAgentStart(stack, runIds, startedAt);
  const cpu = cpuUse(stack, services).map(([name, used], i): [string, number] => [name, used - (cpuAtStart[i]?.[1] ?? 0)]);
  const chunks = await chunkCount(stack, runIds);
  // What reached the browser's instance live, given a moment to arrive.
  let { received } = await client.stats();
  await waitFor(async () => ({ received } = await client.stats()).received >= stored, 30_000).catch(() => undefined);
  const clientRssMb = await client.close();
  return { linesPerSecond: stored / seconds, stored, seconds, steady, agentsStarted, received, chunks, cpu, clientRssMb };
}

async function latency(stack: TeamBenchStack, rate: number, seconds: number) {
  const client = await startLogClient(stack.browserSide);
  const runIds = await stack.startRuns([`paced ${rate} ${seconds}`]);
  await client.subscribe(runIds.map((runId) => ({ runId, maxSeq: rate * seconds + 100 })));
  await waitFor(
    () => finished(stack, runIds),
    120_000,
    () => "the paced run to finish",
    POLL_MS,
  );
  let { latencies } = await client.stats();
  await waitFor(async () => ({ latencies } = await client.stats()).latencies.length >= rate * seconds, 15_000).catch(
    () => undefined,
  );
  await client.close();
  latencies.sort((x, y) => x - y);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? Number.NaN;
  return { count: latencies.length, p50: at(0.5), p99: at(0.99) };
}

export async function benchTeamSetup(setup: TeamSetup, agents: number, linesEach: number): Promise<string[]> {
  const postgres = setup.services ? await startPostgres({ durable: true }) : null;
  const redis = setup.services ? await startRedis() : null;
  const stack = await startTeamBenchStack({
    instances: setup.instances,
    databaseUrl: await postgres?.createDatabase(),
    redisUrl: redis?.url,
    env: { GROVE_MAX_RUNS: String(agents) },
  }).catch(async (error: unknown) => {
    await Promise.allSettled([postgres?.stop(), redis?.stop()]);
    throw error;
  });
  try {
    const flood = await throughput(stack, { postgres, redis }, agents, linesEach);
    const paced = await latency(stack, 2000, 5);
    const rss = [
      ...stack.webs.map((web, i) => `instance ${String.fromCharCode(65 + i)} ${peakRssMb(web.pid).toFixed(0)} MB`),
      `runner ${peakRssMb(stack.runnerPid).toFixed(0)} MB`,
      `browser client ${flood.clientRssMb.toFixed(0)} MB`,
    ];
    const where = setup.instances > 1 ? "on instance A, runner on B" : "on the same instance";
    const perLine = (seconds: number) => ((seconds * 1e6) / flood.stored).toFixed(1);
    const cpuTotal = flood.cpu.reduce((sum, [, used]) => sum + used, 0);
    return [
      `${setup.name}: ${agents} agents × ${linesEach} lines: ${flood.linesPerSecond.toFixed(0)} lines/s persisted (goal ≥ 100000), ${flood.stored} stored in ${flood.seconds.toFixed(1)} s`,
      `  browser ${where}: received ${flood.received}/${flood.stored} live; latency at 2k lines/s: ${paced.count} lines, p50 ${paced.p50} ms, p99 ${paced.p99} ms (goal p99 < 250)`,
      `  all ${agents} agents started after ${flood.agentsStarted.toFixed(1)} s; from 10% to 90% of the lines: ${flood.steady.toFixed(0)} lines/s`,
      `  ${flood.chunks} batches stored (${(flood.stored / Math.max(1, flood.chunks)).toFixed(0)} lines each on average)`,
      `  CPU µs per line: ${flood.cpu.map(([name, used]) => `${name} ${perLine(used)}`).join(", ")}; total ${perLine(cpuTotal)} (2 cores at 100k lines/s allow 20)`,
      `  peak RSS: ${rss.join(", ")}`,
    ];
  } finally {
    await stack.close();
    await Promise.allSettled([postgres?.stop(), redis?.stop()]);
  }
}

/** Each setup in turn, `rounds` times alternating, on the same machine in the same run. */
export async function benchTeam(setups: TeamSetup[], rounds = 1, linesEach = 100_000): Promise<string[]> {
  const lines: string[] = [];
  for (let round = 1; round <= rounds; round++)
    for (const setup of setups) lines.push(...(await benchTeamSetup(setup, 20, linesEach)));
  return lines;
}
