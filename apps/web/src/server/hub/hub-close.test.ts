import { afterEach, expect, it } from "vitest";
import { encodeLogLines, type LogAck, type LogLine } from "@grove/core";
import { createDb, disconnectDb, listLogLines, queryDirect, type Db } from "@grove/db";
import { ensureLocalRunner } from "../auth/bootstrap.ts";
import { startTestHub, type TestHub } from "../test-support/test-hub.ts";
import { connectTestRunner, type TestRunnerSocket } from "../test-support/test-runner-socket.ts";

// PostgreSQL only (vitest.config.ts): the hub's write is seen waiting on a row lock in pg_stat_activity.
const TOKEN = "runner-token-for-hub-close-tests-0123";
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function startHubWithRunner(closeBudgetMs: number) {
  const hub: TestHub = await startTestHub({ closeBudgetMs });
  const runnerId = await ensureLocalRunner(hub.db, TOKEN);
  const session = await hub.db.agentSession.create({
    data: { id: "session-c", runnerId, repoPath: "/repo", integration: "main", createdBy: hub.admin.id },
  });
  const run = await hub.db.run.create({
    data: {
      sessionId: session.id,
      agent: "demo",
      taskId: "c",
      profile: "demo",
      prompt: "",
      branch: "agent/demo/c",
      state: "running",
    },
  });
  const runner: TestRunnerSocket = await connectTestRunner(hub, TOKEN);
  const other = await createDb(hub.url);
  cleanups.push(() => disconnectDb(other));
  return { hub, runner, runnerId, runId: run.id, other };
}

/** Holds the runner's row locked from another client (as a slow transaction of another instance would) until `release`. */
function lockRunnerRow(other: Db, runnerId: string) {
  let release = () => {};
  const released = new Promise<void>((resolve) => (release = resolve));
  let locked = () => {};
  const isLocked = new Promise<void>((resolve) => (locked = resolve));
  const holding = other
    .$transaction(
      async (tx) => {
        await tx.runner.update({ where: { id: runnerId }, data: { lastSeenAt: new Date(0) } });
        locked();
        await released;
      },
      { timeout: 120_000, maxWait: 30_000 },
    )
    .catch(() => undefined);
  return { isLocked, release, holding };
}

const countLockWaits = async (other: Db) => {
  const [row] = await queryDirect<{ n: unknown }>(
    other,
    `SELECT count(*) AS "n" FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
    [],
  );
  return Number(row?.n);
};
const lines = (from: number, to: number): LogLine[] =>
  Array.from({ length: to - from + 1 }, (_, i) => ({ seq: from + i, stream: "stdout", text: `line ${from + i}`, ts: 1 }));
const send = (runner: TestRunnerSocket, runId: string, batch: LogLine[]) =>
  runner
    .timeout(10_000)
    .emitWithAck("run:log", { runId, firstSeq: batch[0]?.seq ?? 1, lines: encodeLogLines(batch) })
    .then((ack: LogAck) => (ack.ok ? ack.ackedSeq : 0))
    .catch(() => 0);

it("closes after the work its runner left running (held up by a lock), keeping every line it acknowledged", async () => {
  const { hub, runner, runnerId, runId, other } = await startHubWithRunner(120_000);
  cleanups.push(() => hub.close());
  expect(await send(runner, runId, lines(1, 300))).toBe(300);
  const lock = lockRunnerRow(other, runnerId);
  await lock.isLocked;
  // A batch still on its way in, and the runner gone: its disconnect writes the runner's last-seen time.
  const inFlight = send(runner, runId, lines(301, 600));
  runner.disconnect();
  const closing = hub.server.close().then(() => "closed");
  await expect.poll(() => countLockWaits(other), { timeout: 30_000 }).toBe(1);

  // The write waits for the lock, and the close for the write.
  expect(await Promise.race([closing, new Promise((resolve) => setTimeout(resolve, 300, "waiting"))])).toBe("waiting");
  lock.release();
  await lock.holding;
  expect(await closing).toBe("closed");
  const runnerRow = await other.runner.findUniqueOrThrow({ where: { id: runnerId } });
  expect(runnerRow.lastSeenAt?.getTime()).toBeGreaterThan(0);
  const acked = await inFlight;
  const stored = (await listLogLines(other, runId, 0)).map((line) => line.seq);
  expect(stored.length).toBeGreaterThanOrEqual(Math.max(300, acked));
  expect(stored).toEqual(Array.from({ length: stored.length }, (_, i) => i + 1));
});

it("closes within its budget while the lock is never let go; the database's close then ends the connection the write holds", async () => {
  const { hub, runner, runnerId, other } = await startHubWithRunner(300);
  cleanups.push(() => hub.close());
  const lock = lockRunnerRow(other, runnerId);
  cleanups.push(() => lock.holding);
  cleanups.push(() => Promise.resolve(lock.release()));
  await lock.isLocked;
  runner.disconnect();
  await expect.poll(() => countLockWaits(other), { timeout: 30_000 }).toBe(1);

  await hub.server.close();
  expect(await countLockWaits(other)).toBe(1);
  expect(await disconnectDb(hub.db, 200)).toBe(1);
  lock.release();
  await lock.holding;
  // The write's transaction never commits: the server rolls it back once it finds its connection gone.
  await expect.poll(() => countLockWaits(other), { timeout: 30_000 }).toBe(0);
  const runnerRow = await other.runner.findUniqueOrThrow({ where: { id: runnerId } });
  expect(runnerRow.lastSeenAt?.getTime()).toBe(0);
});
