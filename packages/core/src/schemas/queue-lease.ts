import { z } from "zod";

/** `grove.repositoryId` (git config): what "the same repository" is for every runner that serves it. */
export const RepositoryIdSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{7,63}$/, "8 to 64 of [A-Za-z0-9._-]");

/** The bounds of `GROVE_QUEUE_LEASE_MS`, the time a merge queue's owner keeps it without renewing. */
export const QUEUE_LEASE_MS = { default: 30_000, min: 200, max: 600_000 } as const;

/**
 * `queue:lease` (runner -> hub): acquire (or renew) the lease of one merge queue, or release it. `instance` names
 * the runner's process: a restarted runner is a new holder, with a new epoch.
 */
export const QueueLeaseRequestSchema = z.object({
  op: z.enum(["acquire", "release"]),
  repositoryId: RepositoryIdSchema,
  integration: z.string().min(1).max(255),
  instance: z.string().regex(/^[\w.:@-]{1,100}$/),
  durationMs: z.number().int().min(QUEUE_LEASE_MS.min).max(QUEUE_LEASE_MS.max),
});
export type QueueLeaseRequest = z.infer<typeof QueueLeaseRequestSchema>;

/** Its ack: held (with the epoch and the time left on the database clock), or who holds it instead. */
export const QueueLeaseAckSchema = z.union([
  z.object({ ok: z.literal(true), held: z.literal(true), epoch: z.number().int().positive(), remainingMs: z.number().int() }),
  z.object({ ok: z.literal(true), held: z.literal(false), runnerId: z.string(), epoch: z.number().int().nonnegative() }),
  z.object({ ok: z.literal(false), error: z.string() }),
]);
export type QueueLeaseAck = z.infer<typeof QueueLeaseAckSchema>;
