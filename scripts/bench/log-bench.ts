import { fork, spawn, type ChildProcess } from "node:child_process";
import { openSync, closeSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";
import { setTimeout as delay } from "node:timers/promises";
import { countLogLines, listLogLines, queryDirect, searchLogLines } from "@grove/db";
import { type ProductionStack, startProductionStack, waitFor } from "@grove/testing";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const AGENT = path.join(HERE, "flood-agent.mjs");
const GROVE_YAML = [
  "agents:",
  `  bench:`,
  `    command: [${JSON.stringify(process.execPath)}, ${JSON.stringify(AGENT)}, "{prompt}"]`,
  "",
].join("\n");
// How often the bench looks at the database while it waits: rarely, so its own queries take little from
// the web process they go through (its SQLite reads are its own) and from the agents.
const POLL_MS = 250;

/** grove as `pnpm start` runs it: web process and runner, both built, each in its own process. */
const startStack = (env: Record<string, string> = {}) =>
  startProductionStack({ repoFiles: { "README.md": "# bench\n", "grove.yaml": GROVE_YAML }, env });

function peakRssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb / 1024;
}

/** CPU seconds (user + system) a process has used so far. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

type ClientStats = { received: number; repeats: number; latencies: number[] };

/** The subscribed client runs in its own process, like a browser: its work and memory are not the hub's. */
async function startLogClient(stack: ProductionStack) {
  const child: ChildProcess = fork(path.join(HERE, "log-client.ts"), [], { execArgv: ["--import", "tsx"], stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const request = <T>(command: object, answer: string) =>
    new Promise<T>((resolve, reject) => {
      const onMessage = (message: { type: string; message?: string }) => {
        if (message.type === "error") reject(new Error(message.message));
        else if (message.type !== answer) return;
        child.off("message", onMessage);
        resolve(message as T);
      };
      child.on("message", onMessage);
      child.send(command);
    });
  await request({ type: "connect", url: stack.url, cookie: await stack.signIn() }, "connected");
  return {
    subscribe: (runs: { runId: string; maxSeq: number }[]) => request({ type: "subscribe", runs }, "subscribed"),
    stats: () => request<ClientStats>({ type: "stats" }, "stats"),
    close: () =>
      new Promise<number>((resolve) => {
        const peak = child.pid ? peakRssMb(child.pid) : 0;
        child.once("exit", () => resolve(peak));
        child.send({ type: "close" });
      }),
  };
}

async function startRuns(stack: ProductionStack, prompts: string[]) {
  const stamp = Date.now().toString(36);
  return stack.startSession(prompts.map((prompt, i) => ({ agent: "bench", taskId: `b${stamp}-${i}`, profile: "bench", prompt })));
}

async function lastSeqSum(stack: ProductionStack, runIds: string[]): Promise<number> {
  const runs = await stack.db.run.findMany({ where: { id: { in: runIds } }, select: { lastSeq: true } });
  return runs.reduce((sum, r) => sum + r.lastSeq, 0);
}

/** Every run ended and every line it printed up to its last one (`elapsed …`) is stored. */
async function finished(stack: ProductionStack, runIds: string[]): Promise<boolean> {
  // Plain SQL: the bench's own polling should cost next to nothing while agents run beside it.
  const runs = await queryDirect<{ id: unknown; lastSeq: unknown; state: unknown }>(
    stack.db,
    `SELECT "id", "lastSeq", "state" FROM "Run" WHERE "id" IN (SELECT "value" FROM json_each(?1))`,
    [JSON.stringify(runIds)],
  );
  if (runs.length !== runIds.length || runs.some((run) => !["succeeded", "failed", "interrupted", "cancelled"].includes(String(run.state)))) return false;
  // The agent's last line is followed by a few of the runner's own: look only near the end.
  for (const run of runs) {
    const lastSeq = Number(run.lastSeq);
    if ((await searchLogLines(stack.db, String(run.id), "elapsed ", Math.max(0, lastSeq - 100), 1)).length === 0) return false;
  }
  return true;
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
    const cpuAtStart = { runner: cpuSeconds(stack.runnerPid), hub: cpuSeconds(stack.webPid) };
    const session = await startRuns(stack, Array.from({ length: agents }, () => `flood ${linesEach}`));
    await client.subscribe(session.runIds.map((runId) => ({ runId, maxSeq: linesEach + 100 })));
    await waitFor(() => finished(stack, session.runIds), 600_000, () => "bench runs to finish", POLL_MS);
    const persisted = await lastSeqSum(stack, session.runIds);
    const elapsed = (performance.now() - started) / 1000;
    const cpu = { runner: cpuSeconds(stack.runnerPid) - cpuAtStart.runner, hub: cpuSeconds(stack.webPid) - cpuAtStart.hub };
    const stored = await countLogLines(stack.db, session.runIds);
    const { floodLines, duplicates } = await checkStored(stack, session.runIds);
    let stats = await client.stats();
    await waitFor(async () => (stats = await client.stats()).received >= stored, 60_000, () => `client lines ${stats.received}/${stored}`).catch(() => undefined);
    const runnerRss = peakRssMb(stack.runnerPid);
    const hubRss = peakRssMb(stack.webPid);
    const clientRss = await client.close();
    return [
      `${agents} agents × ${linesEach} lines: ${(persisted / elapsed).toFixed(0)} lines/s persisted (goal ≥ 100000), ${elapsed.toFixed(1)} s wall`,
      `  agent lines stored ${floodLines}/${agents * linesEach} (lost ${agents * linesEach - floodLines}), lines stored ${stored}, contiguous watermark ${persisted}, seqs stored twice ${duplicates}`,
      `  client received ${stats.received}/${stored} (${stats.repeats} repeats deduped by seq)`,
      `  CPU: runner ${cpu.runner.toFixed(1)} s, web (hub) ${cpu.hub.toFixed(1)} s (µs per line: runner ${((cpu.runner * 1e6) / persisted).toFixed(1)}, hub ${((cpu.hub * 1e6) / persisted).toFixed(1)})`,
      `  peak RSS: runner ${runnerRss.toFixed(0)} MB (goal < 150), web process with the hub ${hubRss.toFixed(0)} MB (goal < 300), client ${clientRss.toFixed(0)} MB`,
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
    await waitFor(() => finished(stack, session.runIds), 120_000, () => "paced run to finish", POLL_MS);
    let { latencies } = await client.stats();
    await waitFor(async () => ({ latencies } = await client.stats()).latencies.length >= rate * seconds, 30_000, () => "paced lines").catch(() => undefined);
    await client.close();
    latencies.sort((a, b) => a - b);
    const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN;
    return `latency at ${rate} lines/s (${latencies.length} lines): p50 ${at(0.5)} ms, p99 ${at(0.99)} ms (goal p99 < 250)`;
  } finally {
    await stack.close();
  }
}

/** The agent's own measure of its run (its last line, `elapsed <ms>`) when its output goes to a file. */
async function agentToFile(lines: number): Promise<number> {
  const file = path.join(os.tmpdir(), `grove-bench-${process.pid}.log`);
  const fd = openSync(file, "w");
  try {
    await new Promise<void>((resolve, reject) => {
      const child = spawn(process.execPath, [AGENT, "flood", String(lines)], { stdio: ["ignore", fd, "inherit"] });
      child.on("error", reject);
      child.on("exit", () => resolve());
    });
  } finally {
    closeSync(fd);
  }
  const elapsed = Number(/elapsed (\d+)/.exec(readFileSync(file, "utf8"))?.[1]);
  rmSync(file, { force: true });
  return elapsed;
}

/** The same agent run by grove (worktree, runner, log pipeline), by the same measure. */
async function agentUnderGrove(stack: ProductionStack, lines: number): Promise<number> {
  const session = await startRuns(stack, [`flood ${lines}`]);
  await waitFor(() => finished(stack, session.runIds), 300_000, () => "run to finish", POLL_MS);
  const [runId = ""] = session.runIds;
  const run = await stack.db.run.findUniqueOrThrow({ where: { id: runId } });
  const [seq = 1] = await searchLogLines(stack.db, runId, "elapsed ", Math.max(0, run.lastSeq - 100), 1);
  const [last] = await listLogLines(stack.db, runId, seq - 1, 1);
  return Number(last?.text.split(" ")[1]);
}

const QUIET_MS = 1_500;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;

/** One agent's own wall time under grove vs the same program with stdout to a file, alternating, median of `rounds`. */
export async function benchAgentOverhead(lines: number, rounds: number): Promise<string> {
  const stack = await startStack();
  const underGrove: number[] = [];
  const baseline: number[] = [];
  try {
    for (let round = 0; round < rounds; round++) {
      // Each measurement starts on a quiet machine: the last run's after-work (radar rescan, merge
      // request) has had time to finish.
      await delay(QUIET_MS);
      baseline.push(await agentToFile(lines));
      await delay(QUIET_MS);
      underGrove.push(await agentUnderGrove(stack, lines));
    }
  } finally {
    await stack.close();
  }
  const ratio = median(underGrove) / median(baseline);
  return `one agent, ${lines} lines (median of ${rounds}): ${median(underGrove)} ms under grove vs ${median(baseline)} ms to a file, ratio ${ratio.toFixed(2)}× (goal ≤ 1.10×) [grove ${underGrove.join(", ")}; file ${baseline.join(", ")}]`;
}
