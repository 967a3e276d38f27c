// The stack the log benches run on (grove as `pnpm start` runs it, with the flood agent), their runs,
// and when those are done.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { isTerminalRunState } from "@grove/core";
import { queryDirect, searchLogLines } from "@grove/db";
import { type ProductionStack, startProductionStack } from "@grove/testing";

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const AGENT = path.join(HERE, "flood-agent.mjs");
const GROVE_YAML = [
  "agents:",
  `  bench:`,
  `    command: [${JSON.stringify(process.execPath)}, ${JSON.stringify(AGENT)}, "{prompt}"]`,
  "",
].join("\n");
// How often the bench looks at the database while it waits: rarely, so its own queries take little from
// the web process they go through (its SQLite reads are its own) and from the agents.
export const POLL_MS = 250;

/** grove as `pnpm start` runs it: web process and runner, both built, each in its own process. */
export const startStack = (env: Record<string, string> = {}) =>
  startProductionStack({ repoFiles: { "README.md": "# bench\n", "grove.yaml": GROVE_YAML }, env });

export async function startRuns(stack: ProductionStack, prompts: string[]) {
  const stamp = Date.now().toString(36);
  return stack.startSession(prompts.map((prompt, i) => ({ agent: "bench", taskId: `b${stamp}-${i}`, profile: "bench", prompt })));
}

/** Every run ended and every line it printed up to its last one (`elapsed …`) is stored. */
export async function finished(stack: Pick<ProductionStack, "db">, runIds: string[]): Promise<boolean> {
  // Plain SQL: the bench's own polling should cost next to nothing while agents run beside it.
  const runs = await queryDirect<{ id: unknown; lastSeq: unknown; state: unknown }>(
    stack.db,
    {
      sqlite: `SELECT "id", "lastSeq", "state" FROM "Run" WHERE "id" IN (SELECT "value" FROM json_each(?1))`,
      postgresql: `SELECT "id", "lastSeq", "state" FROM "Run" WHERE "id" IN (SELECT json_array_elements_text($1::json))`,
    },
    [JSON.stringify(runIds)],
  );
  if (runs.length !== runIds.length || runs.some((run) => !isTerminalRunState(String(run.state)))) return false;
  // The agent's last line is followed by a few of the runner's own: look only near the end.
  for (const run of runs) {
    const lastSeq = Number(run.lastSeq);
    if ((await searchLogLines(stack.db, String(run.id), "elapsed ", Math.max(0, lastSeq - 100), 1)).length === 0) return false;
  }
  return true;
}
