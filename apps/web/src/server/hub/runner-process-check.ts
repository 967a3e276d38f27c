import { RunnerProcessSchema, type RunnerProcess } from "@grove/core";
import { runnerRoom, type GroveNamespace } from "./types.ts";

/** How long a connected runner process gets to say it is alive before a newcomer with its token replaces it. */
export const RUNNER_PING_MS = 3_000;

/**
 * Another live process connected with this runner's token, or null. The runner's connections, on any instance,
 * whose process is not the newcomer's are asked `runner:ping`; one that answers is alive and keeps the token.
 * Without an answer (a process that died before the hub saw its connection close, a runner from before the ping)
 * the newcomer comes in and replaces it, as a restarted runner must. A newcomer that names no process, or the same
 * process reconnecting, comes in as before.
 */
export async function otherLiveProcess(
  runners: GroveNamespace,
  runnerId: string,
  newcomer: RunnerProcess | null,
): Promise<RunnerProcess | null> {
  if (!newcomer) return null;
  // The bus not answering in time (an instance dying) must not keep the runner out: it comes in, as before.
  const connected = await runners
    .in(runnerRoom(runnerId))
    .fetchSockets()
    .catch(() => []);
  const others = connected.filter((socket) => socket.data.process?.instance !== newcomer.instance);
  const answers = await Promise.all(
    others.map((socket) =>
      socket
        .timeout(RUNNER_PING_MS)
        .emitWithAck("runner:ping")
        .then((answer: unknown) => [answer].flat())
        .catch(() => []),
    ),
  );
  for (const answer of answers.flat()) {
    const alive = RunnerProcessSchema.safeParse(answer);
    if (alive.success && alive.data.instance !== newcomer.instance) return alive.data;
  }
  return null;
}
