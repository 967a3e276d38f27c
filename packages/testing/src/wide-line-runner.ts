import { io, type Socket } from "socket.io-client";
import {
  encodeLogLines,
  MAX_LOG_LINE_CHARS,
  RUNNER_NAMESPACE,
  RUNNER_TOKEN_HEADER,
  type HubToRunnerEvents,
  type LogLine,
  type RunnerToHubEvents,
} from "@grove/core";
import type { ProductionWeb } from "./production-web.ts";

// Batches as the runner's log shipper cuts them (512 KiB, its batchBytes): 31 lines of 16 KiB.
export const LINES_PER_BATCH = Math.floor((512 * 1024) / (MAX_LOG_LINE_CHARS + 64));

export type WideLineRunner = Socket<HubToRunnerEvents, RunnerToHubEvents>;

const wide = (seq: number): LogLine => ({ seq, stream: "stdout", text: `${seq} `.padEnd(MAX_LOG_LINE_CHARS, "x"), ts: seq });

/** A runner on the real runner namespace with the runner token: it accepts sessions and ships log batches. */
export async function connectRunner(web: ProductionWeb): Promise<WideLineRunner> {
  const runner: WideLineRunner = io(`${web.url}${RUNNER_NAMESPACE}`, {
    auth: { token: web.runnerToken },
    extraHeaders: { [RUNNER_TOKEN_HEADER]: web.runnerToken },
    transports: ["websocket"],
    reconnection: false,
  });
  runner.on("session:start", (_payload, ack) => ack({ ok: true }));
  await new Promise<void>((resolve, reject) => {
    runner.once("connect", resolve);
    runner.once("connect_error", reject);
  });
  const hello = await runner.emitWithAck("runner:hello", {
    host: "overload",
    version: "0",
    repos: [{ path: web.dataDir, name: "overload", integration: "main" }],
  });
  if (!hello.ok) throw new Error(`runner:hello refused: ${hello.error}`);
  return runner;
}

/** One `run:log` batch as the runner's log shipper sends it: the lines' JSON text as bytes. */
export async function sendBatch(runner: WideLineRunner, runId: string, firstSeq: number, count: number): Promise<void> {
  const lines = Array.from({ length: count }, (_, i) => wide(firstSeq + i));
  const ack = await runner.emitWithAck("run:log", { runId, firstSeq, lines: Buffer.from(encodeLogLines(lines), "utf8") });
  if (!ack.ok || ack.ackedSeq !== firstSeq + count - 1)
    throw new Error(`run:log batch at ${firstSeq} not stored: ${JSON.stringify(ack)}`);
}
