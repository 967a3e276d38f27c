import { afterAll, beforeAll, expect, it } from "vitest";
import { appendAuditEvent } from "./audit.ts";
import type { Db } from "./client.ts";
import { insertLogLines } from "./log-lines.ts";
import { makeTempDb } from "./test-support/temp-db.ts";

let db: Db;
let cleanup: () => Promise<void>;
let runId: string;

beforeAll(async () => {
  ({ db, cleanup } = await makeTempDb());
  const runner = await db.runner.create({ data: { name: "r", tokenHash: "h" } });
  await db.agentSession.create({ data: { id: "s", runnerId: runner.id, repoPath: "/x", integration: "main", createdBy: "u" } });
  runId = (await db.run.create({ data: { sessionId: "s", agent: "a", taskId: "t", profile: "p", prompt: "", branch: "agent/a/t", state: "running" } })).id;
});
afterAll(() => cleanup());

it("a log batch waits for the hub's own interactive transaction and neither fails", async () => {
  let release: () => void = () => undefined;
  const held = new Promise<void>((resolve) => (release = resolve));
  // A real interactive transaction that has written and now waits on the event loop.
  const transaction = db.$transaction(async (tx) => {
    await tx.run.update({ where: { id: runId }, data: { state: "testing" } });
    await held;
  });
  await new Promise((resolve) => setTimeout(resolve, 50));
  const write = insertLogLines(db, runId, [{ seq: 1, stream: "stdout", text: "hello", ts: 1 }]);
  await new Promise((resolve) => setTimeout(resolve, 100));
  release();
  await transaction;
  expect(await write).toBe(1);
  await appendAuditEvent(db, { actorType: "system", actorId: "t", action: "x", subject: "y" });
});
