import type { HubToRunnerEvents } from "@grove/core";
import type { RunnerConnections } from "./runner-namespace.ts";
import { runnerRoom, type GroveNamespace } from "./types.ts";

export type RunnerAnswer = { kind: "offline" } | { kind: "answer"; raw: unknown };

/**
 * Sends one command to a runner and waits for its ack, wherever the runner is connected: this instance's own
 * socket when it holds one (exactly as with one process), else, with the bus, the runner's room on the other
 * instances — socket.io's adapter carries the ack back (an empty answer list: connected nowhere). Rejects
 * when the runner does not answer within `timeoutMs`.
 */
export async function sendToRunner(
  link: { runners: GroveNamespace; connections: RunnerConnections; isShared: boolean },
  runnerId: string,
  event: keyof HubToRunnerEvents,
  payload: unknown,
  timeoutMs: number,
): Promise<RunnerAnswer> {
  const socket = link.connections.socketOf(runnerId);
  // socket.io cannot correlate a generic event name with its payload; each caller's signature checks the payload.
  if (socket) {
    const timed = socket.timeout(timeoutMs);
    const emit = timed.emitWithAck.bind(timed) as (event: string, body: unknown) => Promise<unknown>;
    return { kind: "answer", raw: await emit(event, payload) };
  }
  if (!link.isShared) return { kind: "offline" };
  const timed = link.runners.to(runnerRoom(runnerId)).timeout(timeoutMs);
  const emit = timed.emitWithAck.bind(timed) as (event: string, body: unknown) => Promise<unknown[]>;
  const answers = await emit(event, payload);
  // One connection per runner across instances (runner-namespace.ts); a second answer would be a stale socket's.
  return answers.length === 0 ? { kind: "offline" } : { kind: "answer", raw: answers[0] };
}
