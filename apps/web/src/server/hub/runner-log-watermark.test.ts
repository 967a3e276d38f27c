import { afterAll, beforeAll, expect, it } from "vitest";
import type { Socket } from "socket.io-client";
import { encodeLogLines, type HubToRunnerEvents, type LogLine, type RunnerToHubEvents } from "@grove/core";
import { ensureLocalRunner } from "../auth/bootstrap.ts";
import { startTestHub, type TestHub } from "../test-support/test-hub.ts";
import { connectTestRunner } from "../test-support/test-runner-socket.ts";

type Runner = Socket<HubToRunnerEvents, RunnerToHubEvents>;
const TOKEN = "runner-token-for-watermark-tests-0123";

let hub: TestHub;
let runner: Runner;
let runId: string;

beforeAll(async () => {
  hub = await startTestHub();
  const runnerId = await ensureLocalRunner(hub.db, TOKEN);
  const session = await hub.db.agentSession.create({
    data: { id: "session-w", runnerId, repoPath: "/repo", integration: "main", createdBy: hub.admin.id },
  });
  const run = await hub.db.run.create({
    data: {
      sessionId: session.id,
      agent: "demo",
      taskId: "w",
      profile: "demo",
      prompt: "",
      branch: "agent/demo/w",
      state: "running",
    },
  });
  runId = run.id;
  runner = await connectTestRunner(hub, TOKEN);
});
afterAll(async () => {
  runner.disconnect();
  await hub.close();
});

const lines = (from: number, to: number): LogLine[] =>
  Array.from({ length: to - from + 1 }, (_, i) => ({ seq: from + i, stream: "stdout", text: `line ${from + i}`, ts: 1 }));
const send = (batch: LogLine[]) =>
  runner.timeout(60_000).emitWithAck("run:log", { runId, firstSeq: batch[0]?.seq ?? 1, lines: encodeLogLines(batch) });
const ask = (payload: unknown) => runner.timeout(60_000).emitWithAck("run:log-watermark", payload as { runId: string });

it("tells a runner where a run's stored log ends, after the batches it already received", async () => {
  expect(await ask({ runId })).toEqual({ ok: true, ackedSeq: 0 });
  // Sent without waiting for their acks, as a runner killed right after sending them would have.
  const sent = [send(lines(1, 300)), send(lines(301, 600))];
  expect(await ask({ runId })).toEqual({ ok: true, ackedSeq: 600 });
  await Promise.all(sent);
  // A batch past a gap is not stored: the watermark stays where the log is whole.
  expect(await send(lines(700, 710))).toEqual({ ok: true, ackedSeq: 600 });
  expect(await ask({ runId })).toEqual({ ok: true, ackedSeq: 600 });
});

it("refuses a run of another runner and a malformed request", async () => {
  expect(await ask({ runId: "run-of-nobody" })).toMatchObject({
    ok: false,
    error: expect.stringMatching(/not one of this runner's runs/) as unknown,
  });
  expect(await ask({ run: runId })).toMatchObject({ ok: false, error: expect.stringMatching(/invalid payload/) as unknown });
});
