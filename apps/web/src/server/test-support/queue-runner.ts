import type { QueueEntry, QueueSnapshot } from "@grove/core";
import { ensureLocalRunner } from "../auth/bootstrap.ts";
import type { TestHub } from "./test-hub.ts";
import { connectTestRunner, type TestRunnerSocket } from "./test-runner-socket.ts";

export const QUEUE_REPO = "/srv/queue-repo";
const sha = (digit: string) => digit.repeat(40);

/** A runner socket serving QUEUE_REPO, with approved merge requests of its own handed to its queue (as the hub leaves them). */
export async function connectQueueRunner(hub: TestHub, token: string, tasks: string[]) {
  const runnerId = await ensureLocalRunner(hub.db, token);
  const socket: TestRunnerSocket = await connectTestRunner(hub, token);
  await socket.timeout(60_000).emitWithAck("runner:hello", {
    host: "test",
    version: "0",
    repos: [{ path: QUEUE_REPO, name: "queue-repo", integration: "main" }],
  });
  const session = await hub.db.agentSession.create({
    data: { id: `session-queue-${runnerId}`, runnerId, repoPath: QUEUE_REPO, integration: "main", createdBy: hub.admin.id },
  });
  const requests = [];
  for (const taskId of tasks) {
    const run = await hub.db.run.create({
      data: {
        sessionId: session.id,
        agent: "demo",
        taskId,
        profile: "demo",
        prompt: "p",
        branch: `agent/demo/${taskId}`,
        state: "succeeded",
      },
    });
    requests.push(
      await hub.db.mergeRequest.create({
        data: {
          runId: run.id,
          branch: run.branch,
          integration: "main",
          headSha: sha("a"),
          // As the hub leaves a request it handed to the runner's queue.
          state: "merging",
          stage: "queued",
          approvedSha: sha("a"),
        },
      }),
    );
  }
  return { runnerId, socket, requests, sessionId: session.id };
}

/** The queue a runner would report: the first `parallel` requests in slots, the rest waiting. */
export function queueSnapshotOf(
  requests: { id: string; runId: string; branch: string }[],
  opts: { parallel?: number; at?: number; repoPath?: string } = {},
): QueueSnapshot {
  const parallel = opts.parallel ?? 1;
  const entries: QueueEntry[] = requests.map((mr, position) => {
    const isTesting = position < parallel;
    return {
      mergeRequestId: mr.id,
      runId: mr.runId,
      branch: mr.branch,
      headSha: sha("a"),
      position,
      state: isTesting ? "testing" : "waiting",
      prioritized: false,
      slot: isTesting ? position : null,
      candidateSha: isTesting ? sha(((position + 1) % 16).toString(16)) : null,
      baseSha: isTesting ? (position === 0 ? sha("0") : sha((position % 16).toString(16))) : null,
      testStartedAt: isTesting ? 1_000 : null,
      testLines: isTesting ? 12 : 0,
      etaAt: 60_000 * (position + 1),
      detail: isTesting ? undefined : "no free slot",
    };
  });
  return {
    repoPath: opts.repoPath ?? QUEUE_REPO,
    integration: "main",
    integrationSha: sha("0"),
    parallel,
    at: opts.at ?? 1,
    entries,
  };
}
