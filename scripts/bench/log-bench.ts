import { performance } from "node:perf_hooks";
import { countLogLines, queryDirect } from "@grove/db";
import { type ProductionStack, waitFor } from "@grove/testing";
import { finished, POLL_MS, startRuns, startStack } from "./log-bench-stack.ts";
import { startLogClient } from "./log-client-process.ts";
import { cpuSeconds, peakRssMb, spawnerCpuSeconds, spawnerPid } from "./process-usage.ts";

async function lastSeqSum(stack: ProductionStack, runIds: string[]): Promise<number> {
  const runs = await stack.db.run.findMany({ where: { id: { in: runIds } }, select: { lastSeq: true } });
  return runs.reduce((sum, r) => sum + r.lastSeq, 0);
}

/** Lines of the agents' own output stored, and proof that no seq is stored twice. */
async function checkStored(stack: ProductionStack, runIds: string[]) {
  const runs = JSON.stringify(runIds);
  const [flood] = await queryDirect<{ n: unknown }>(
    stack.db,
    `SELECT COUNT(*) AS "n" FROM "LogChunk" c, json_each(c."lines") j WHERE c."runId" IN (SELECT "value" FROM json_each(?1)) AND (j."value" ->> 1) LIKE 'line %'`,
    [runs],
  );
  const [overlaps] = await queryDirect<{ n: unknown }>(
    stack.db,
    `SELECT COUNT(*) AS "n" FROM "LogChunk" a JOIN "LogChunk" b ON a."runId" = b."runId" AND a."firstSeq" < b."firstSeq" AND a."lastSeq" >= b."firstSeq"
     WHERE a."runId" IN (SELECT "value" FROM json_each(?1))`,
    [runs],
  );
  const [misfits] = await queryDirect<{ n: unknown }>(
    stack.db,
    `SELECT COUNT(*) AS "n" FROM "LogChunk" WHERE "runId" IN (SELECT "value" FROM json_each(?1)) AND json_array_length("lines") <> "lastSeq" - "firstSeq" + 1`,
    [runs],
  );
  return { floodLines: Number(flood?.n), duplicates: Number(overlaps?.n) + Number(misfits?.n) };
}

/** Twenty agents × N lines each through runner → hub → SQLite → one subscribed client. */
export async function benchThroughput(agents: number, linesEach: number): Promise<string[]> {
  const stack = await startStack({ GROVE_MAX_RUNS: String(agents) });
  try {
    const client = await startLogClient(stack);
    const started = performance.now();
    // The runner's git is started by its process spawner: that process's CPU is the runner's too.
    const runnerCpu = () => cpuSeconds(stack.runnerPid) + spawnerCpuSeconds(stack.runnerPid);
    const cpuAtStart = { runner: runnerCpu(), spawner: spawnerCpuSeconds(stack.runnerPid), hub: cpuSeconds(stack.webPid) };
    const session = await startRuns(
      stack,
      Array.from({ length: agents }, () => `flood ${linesEach}`),
    );
    await client.subscribe(session.runIds.map((runId) => ({ runId, maxSeq: linesEach + 100 })));
    await waitFor(
      () => finished(stack, session.runIds),
      600_000,
      () => "bench runs to finish",
      POLL_MS,
    );
    const persisted = await lastSeqSum(stack, session.runIds);
    const elapsed = (performance.now() - started) / 1000;
    const cpu = {
      runner: runnerCpu() - cpuAtStart.runner,
      spawner: spawnerCpuSeconds(stack.runnerPid) - cpuAtStart.spawner,
      hub: cpuSeconds(stack.webPid) - cpuAtStart.hub,
    };
    const stored = await countLogLines(stack.db, session.runIds);
    const { floodLines, duplicates } = await checkStored(stack, session.runIds);
    let stats = await client.stats();
    await waitFor(
      async () => (stats = await client.stats()).received >= stored,
      60_000,
      () => `client lines ${stats.received}/${stored}`,
    ).catch(() => undefined);
    const runnerRss = peakRssMb(stack.runnerPid);
    const spawner = spawnerPid(stack.runnerPid);
    const spawnerRss = spawner === undefined ? "none" : `${peakRssMb(spawner).toFixed(0)} MB`;
    const hubRss = peakRssMb(stack.webPid);
    const clientRss = await client.close();
    return [
      `${agents} agents × ${linesEach} lines: ${(persisted / elapsed).toFixed(0)} lines/s persisted (goal ≥ 100000), ${elapsed.toFixed(1)} s wall`,
      `  agent lines stored ${floodLines}/${agents * linesEach} (lost ${agents * linesEach - floodLines}), lines stored ${stored}, contiguous watermark ${persisted}, seqs stored twice ${duplicates}`,
      `  client received ${stats.received}/${stored} (${stats.repeats} repeats deduped by seq)`,
      `  CPU: runner ${cpu.runner.toFixed(1)} s (its git spawner ${cpu.spawner.toFixed(1)} s of it), web (hub) ${cpu.hub.toFixed(1)} s (µs per line: runner ${((cpu.runner * 1e6) / persisted).toFixed(1)}, hub ${((cpu.hub * 1e6) / persisted).toFixed(1)})`,
      `  peak RSS: runner ${runnerRss.toFixed(0)} MB (goal < 150; its git spawner ${spawnerRss}), web process with the hub ${hubRss.toFixed(0)} MB (goal < 300), client ${clientRss.toFixed(0)} MB`,
    ];
  } finally {
    await stack.close();
  }
}

/** Latency from the agent's write to the client's receipt, at a steady rate. */
export async function benchLatency(rate: number, seconds: number): Promise<string> {
  const stack = await startStack();
  try {
    const client = await startLogClient(stack);
    const session = await startRuns(stack, [`paced ${rate} ${seconds}`]);
    const [runId = ""] = session.runIds;
    await client.subscribe([{ runId, maxSeq: rate * seconds + 100 }]);
    await waitFor(
      () => finished(stack, session.runIds),
      120_000,
      () => "paced run to finish",
      POLL_MS,
    );
    let { latencies } = await client.stats();
    await waitFor(
      async () => ({ latencies } = await client.stats()).latencies.length >= rate * seconds,
      30_000,
      () => "paced lines",
    ).catch(() => undefined);
    await client.close();
    latencies.sort((a, b) => a - b);
    const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN;
    return `latency at ${rate} lines/s (${latencies.length} lines): p50 ${at(0.5)} ms, p99 ${at(0.99)} ms (goal p99 < 250)`;
  } finally {
    await stack.close();
  }
}
