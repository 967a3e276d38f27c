import { DISPATCHED_MERGE_REQUEST_STATES, DomainError, putFirstRefusal } from "@grove/core";
import { appendAuditEvent, type Db } from "@grove/db";
import type { SessionUser } from "../auth/sessions.ts";
import { RUNNER_UNREACHABLE, type Hub } from "../hub/create-hub.ts";
import { mergeRequestAudit } from "./merge-audit.ts";

/**
 * An approver puts an approved request first in its runner's merge queue: any entry not landing and not first
 * already, a tested one too (core put-first.ts; the runner aborts its test and tests it again at the front).
 * The runner decides and answers, then the move is audited here, once, with who asked and where it stood.
 */
export async function prioritizeMergeRequest(
  deps: { db: Db; hub: Hub },
  user: SessionUser,
  input: { id: string },
): Promise<{ positionBefore: number }> {
  const { db, hub } = deps;
  const mr = await db.mergeRequest.findUnique({ where: { id: input.id }, include: { run: { include: { session: true } } } });
  if (!mr) throw new DomainError("NOT_FOUND", "That merge request does not exist.");
  const isDispatched: boolean = DISPATCHED_MERGE_REQUEST_STATES.some((state) => state === mr.state);
  if (!isDispatched)
    throw new DomainError(
      "INVALID_INPUT",
      `This merge request is ${mr.state}; only an approved one in the queue can be put first.`,
    );
  const { runnerId, repoPath } = mr.run.session;
  if (!hub.isRunnerOnline(runnerId)) throw new DomainError("RUNNER_OFFLINE", "The runner that owns this repository is offline.");
  const queue = (await hub.queues.list()).find(
    (q) => q.runnerId === runnerId && q.snapshot.repoPath === repoPath && q.snapshot.integration === mr.integration,
  );
  const entry = queue?.snapshot.entries.find((e) => e.mergeRequestId === mr.id);
  if (!entry) throw new DomainError("INVALID_INPUT", "This merge request is not in its runner's merge queue (yet).");
  const refusal = putFirstRefusal(entry, queue?.snapshot.entries.filter((e) => e.position < entry.position) ?? []);
  if (refusal) throw new DomainError("INVALID_INPUT", `This merge request cannot be put first: ${refusal}.`);
  const ack = await hub.prioritizeMerge(runnerId, mr.id);
  if (!ack.ok) {
    const isUnreachable = ack.error === RUNNER_UNREACHABLE.offline || ack.error === RUNNER_UNREACHABLE.timedOut;
    if (isUnreachable) throw new DomainError("RUNNER_OFFLINE", `The runner could not be asked: ${ack.error}.`);
    throw new DomainError("INVALID_INPUT", `The runner did not put it first: ${ack.error}.`);
  }
  await appendAuditEvent(db, {
    actorType: "user",
    actorId: user.email,
    action: "merge.prioritized",
    ...mergeRequestAudit(mr),
    details: { positionBefore: entry.position, repoPath, integration: mr.integration },
  });
  hub.broadcastChanged({ scope: "audit" });
  return { positionBefore: entry.position };
}
