import { spawn } from "node:child_process";
import { closeSync, openSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { listLogLines, searchLogLines } from "@grove/db";
import { waitFor, type ProductionStack } from "@grove/testing";
import { AGENT, finished, POLL_MS, startRuns, startStack } from "./log-bench-stack.ts";

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
  await waitFor(
    () => finished(stack, session.runIds),
    300_000,
    () => "run to finish",
    POLL_MS,
  );
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
