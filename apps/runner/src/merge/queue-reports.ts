import { AckSchema, describeError, fitsSocketMessage, MergePrioritizeSchema, type QueueSnapshot } from "@grove/core";
import { z } from "zod";
import { ACK_TIMEOUT_MS, type HubLink, type RunnerSocket } from "../hub/hub-socket.ts";
import type { Logger } from "../logger.ts";
import type { MergeQueue } from "./merge-queue.ts";

const SNAPSHOT_EVERY_MS = 500;

/**
 * Sends each queue's latest snapshot to the hub (`queue:snapshot`), at most one per queue every 500 ms and
 * best effort, like `radar:snapshot`: a snapshot the hub missed is replaced by the next one. The first change
 * after a quiet spell goes out at once (a merge that enters and lands within 500 ms is still seen), later ones
 * at the end of the 500 ms.
 */
export function sendQueueSnapshots(link: HubLink, log: Logger): (snapshot: QueueSnapshot) => void {
  const latest = new Map<string, QueueSnapshot>();
  const timers = new Map<string, NodeJS.Timeout>();
  const sentAt = new Map<string, number>();
  const send = (key: string) => {
    timers.delete(key);
    sentAt.set(key, Date.now());
    const payload = latest.get(key);
    latest.delete(key);
    if (!payload || !link.isReady()) return;
    if (!fitsSocketMessage([payload])) return log("queue:snapshot is larger than the hub accepts in one message; not sent");
    link.socket
      .timeout(ACK_TIMEOUT_MS)
      .emitWithAck("queue:snapshot", payload)
      .then((ack) => {
        const parsed = AckSchema.safeParse(ack);
        if (parsed.success && !parsed.data.ok) log(`hub refused queue:snapshot: ${parsed.data.error}`);
      })
      .catch((error: unknown) => log(`queue:snapshot not acknowledged: ${describeError(error)}`));
  };
  return (snapshot) => {
    const key = `${snapshot.repoPath}\0${snapshot.integration}`;
    latest.set(key, snapshot);
    if (timers.has(key)) return;
    const quietFor = Date.now() - (sentAt.get(key) ?? 0);
    if (quietFor >= SNAPSHOT_EVERY_MS) return send(key);
    const timer = setTimeout(() => send(key), SNAPSHOT_EVERY_MS - quietFor);
    timer.unref();
    timers.set(key, timer);
  };
}

/** The hub's `merge:prioritize`: an approver put a waiting request first; ok:false when it waits nowhere here. */
export function registerMergePrioritize(socket: RunnerSocket, queue: Pick<MergeQueue, "prioritize">, log: Logger): void {
  socket.on("merge:prioritize", (payload, ack) => {
    const reply = typeof ack === "function" ? ack : () => undefined;
    const parsed = MergePrioritizeSchema.safeParse(payload);
    if (!parsed.success) return reply({ ok: false, error: `invalid merge:prioritize:\n${z.prettifyError(parsed.error)}` });
    const moved = queue.prioritize(parsed.data.mergeRequestId);
    if (moved.ok) log(`merge ${parsed.data.mergeRequestId}: put first in its merge queue`);
    reply(moved);
  });
}

/** Headless: one line whenever a queue's shape changes (how many land, test, passed, wait). */
export function logQueueProgress(log: Logger): (snapshot: QueueSnapshot) => void {
  const last = new Map<string, string>();
  return (snapshot) => {
    const count = (state: string) => snapshot.entries.filter((e) => e.state === state).length;
    const testing = snapshot.entries
      .filter((e) => e.state === "testing")
      .map((e) => `${e.branch}@${e.candidateSha?.slice(0, 8) ?? "?"}`)
      .join(", ");
    const line =
      `merge queue ${snapshot.integration}: ${snapshot.entries.length} in queue — ${count("landing")} landing, ` +
      `${count("testing")} testing (slots ${count("testing")}/${snapshot.parallel}${testing ? `: ${testing}` : ""}), ` +
      `${count("passed")} passed, ${count("waiting")} waiting`;
    const key = `${snapshot.repoPath}\0${snapshot.integration}`;
    if (last.get(key) === line) return;
    last.set(key, line);
    log(line);
  };
}
