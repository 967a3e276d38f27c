import { randomBytes } from "node:crypto";
import { mkdtemp, realpath, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, expect, it } from "vitest";
import { makeTempRepo } from "@grove/core/test-support";
import { createDb, databaseUrlFor, listLogLines, queryDirect, readLogWatermark } from "@grove/db";
import { signInOverHttp, waitFor } from "@grove/testing";
import { floodAgentConfig, floodLineNumbers, stopFlood } from "./test-support/flood-agent.ts";
import { INSTANCE_ADMIN, startHubInstance, startRunnerProcess } from "./test-support/hub-instances.ts";

// Two dashboard instances on one database; the runner is on B when B is killed -9 mid-flood. It moves to A
// and resends what B had not acknowledged: every line of the run is stored once, in order.

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function startSession(url: string, cookie: string, input: unknown): Promise<string> {
  const response = await fetch(`${url}/api/trpc/session.start`, {
    method: "POST",
    headers: { "content-type": "application/json", cookie, origin: url },
    body: JSON.stringify({ json: input }),
  });
  const body = (await response.json()) as { result?: { data: { json: { runIds: string[] } } } };
  const runId = body.result?.data.json.runIds[0];
  if (!runId) throw new Error(`session.start failed: ${JSON.stringify(body)}`);
  return runId;
}

it(
  "kill -9 of the instance a runner is on mid-flood: the runner moves to the other, and every line is stored once, in order",
  { timeout: 240_000 },
  async () => {
    const root = await realpath(await mkdtemp(path.join(os.tmpdir(), "grove-failover-")));
    cleanups.push(() => rm(root, { recursive: true, force: true }));
    const dataDir = path.join(root, "data");
    const stopFile = path.join(root, "stop-flood");
    const token = randomBytes(24).toString("base64url");
    const a = await startHubInstance(dataDir, { GROVE_RUNNER_TOKEN: token });
    cleanups.push(() => a.kill());
    const b = await startHubInstance(dataDir, { GROVE_RUNNER_TOKEN: token });
    cleanups.push(() => b.kill());
    const repo = await makeTempRepo({ files: { "README.md": "# app\n", "grove.yaml": floodAgentConfig(stopFile) } });
    cleanups.push(repo.cleanup);
    const runner = startRunnerProcess({ hubUrls: [b.url, a.url], token, dataDir: path.join(root, "runner"), repos: [repo.dir] });
    cleanups.push(() => runner.kill("SIGTERM"));
    cleanups.push(() => stopFlood(stopFile)); // the agent, should the test fail before it stops
    const db = await createDb(databaseUrlFor(dataDir));
    cleanups.push(() => db.$disconnect());

    const runnerRow = await waitFor(
      async () => (await db.runner.findMany()).find((r) => r.repos.includes(repo.dir)),
      60_000,
      () => `the runner's hello:\n${runner.output()}`,
    );
    const cookie = await signInOverHttp(b.url, INSTANCE_ADMIN);
    const runId = await startSession(b.url, cookie, {
      runnerId: runnerRow.id,
      repoPath: repo.dir,
      tasks: [{ agent: "flood", taskId: "failover", profile: "flood", prompt: "flood" }],
    });

    // Mid-flood: B has stored some of the run's lines, and the agent prints on until told to stop.
    await waitFor(
      async () => (await readLogWatermark(db, runId)) >= 2_000,
      60_000,
      () => `lines through B:\n${runner.output()}`,
    );
    await b.kill("SIGKILL");
    const atKill = await readLogWatermark(db, runId);
    // Only A is left to store them.
    await waitFor(
      async () => (await readLogWatermark(db, runId)) >= atKill + 2_000,
      60_000,
      () => `lines through A after B died:\n${runner.output()}`,
    );
    expect(runner.output()).toContain(`trying the hub at ${a.url}`);
    await stopFlood(stopFile);
    await waitFor(
      async () => (await db.run.findUnique({ where: { id: runId } }))?.exitCode === 0,
      60_000,
      () => `the run to end:\n${runner.output()}`,
    );
    const last = await waitFor(
      async () => {
        const lines = await listLogLines(db, runId, 0, 1_000_000);
        return lines.some((line) => line.text.endsWith(" last")) ? lines : null;
      },
      60_000,
      () => `the flood's last line:\n${runner.output()}`,
    );

    // The chunks follow one another with no overlap and no gap; the agent's lines are 1..N, once each, in order.
    const chunks = await queryDirect<{ firstSeq: unknown; lastSeq: unknown }>(
      db,
      `SELECT "firstSeq", "lastSeq" FROM "LogChunk" WHERE "runId" = ?1 ORDER BY "firstSeq"`,
      [runId],
    );
    let next = 1;
    for (const chunk of chunks) {
      expect(Number(chunk.firstSeq)).toBe(next);
      next = Number(chunk.lastSeq) + 1;
    }
    expect(last.map((line) => line.seq)).toEqual(Array.from({ length: last.length }, (_, i) => i + 1));
    const numbers = floodLineNumbers(last.map((line) => line.text));
    expect(numbers.length).toBeGreaterThan(atKill);
    expect(numbers).toEqual(Array.from({ length: numbers.length }, (_, i) => i + 1));
  },
);
