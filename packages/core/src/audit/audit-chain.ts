import { z } from "zod";

export const AUDIT_GENESIS_HASH = "0".repeat(64);

/** One ledger event as exported (JSONL) and as verified: everything that is hashed, plus id and hash. */
export const AuditEntrySchema = z.object({
  id: z.number().int(),
  ts: z.number().int(),
  actorType: z.string(),
  actorId: z.string(),
  action: z.string(),
  subject: z.string(),
  sessionId: z.string().nullable(),
  runId: z.string().nullable(),
  branch: z.string().nullable(),
  sha: z.string().nullable(),
  details: z.record(z.string(), z.unknown()),
  prevHash: z.string(),
  hash: z.string(),
});
export type AuditEntry = z.infer<typeof AuditEntrySchema>;

/** The hashed fields; `details` is the exact JSON text that was stored. */
export type HashedAuditFields = Omit<AuditEntry, "id" | "hash" | "details"> & { details: string };

export type AuditActorType = "user" | "runner" | "system";

/** One event as a writer is told it; the writer adds what chains it (id, ts unless given, prevHash, hash). */
export type AuditEventInput = {
  actorType: AuditActorType;
  actorId: string;
  action: string;
  subject: string;
  sessionId?: string | null;
  runId?: string | null;
  branch?: string | null;
  sha?: string | null;
  details?: Record<string, unknown>;
  ts?: number;
};

/** The hashed fields of the event that follows `prevHash`, built once for every writer of a chain. */
export function auditFieldsAfter(prevHash: string, input: AuditEventInput, now: number): HashedAuditFields {
  return {
    prevHash,
    ts: input.ts ?? now,
    actorType: input.actorType,
    actorId: input.actorId,
    action: input.action,
    subject: input.subject,
    sessionId: input.sessionId ?? null,
    runId: input.runId ?? null,
    branch: input.branch ?? null,
    sha: input.sha ?? null,
    details: JSON.stringify(input.details ?? {}),
  };
}

/** The one canonical form of an event that its hash covers (the hub's writer and every verifier use it). */
export function canonicalAuditEvent(fields: HashedAuditFields): string {
  return JSON.stringify([
    fields.prevHash,
    fields.ts,
    fields.actorType,
    fields.actorId,
    fields.action,
    fields.subject,
    fields.sessionId,
    fields.runId,
    fields.branch,
    fields.sha,
    fields.details,
  ]);
}

export type ChainVerdict =
  { ok: true; count: number; headHash: string } | { ok: false; count: number; brokenAtId: number; reason: string };

export type ChainVerifier = {
  /** Feeds the next event (in id order); returns a broken verdict at the first bad event, else null. */
  push(entry: HashedAuditFields & { id: number; hash: string }): ChainVerdict | null;
  verdict(): ChainVerdict;
};

/**
 * Walks a chain event by event: each must point at the previous hash and hash to its own. An edited
 * event fails its own hash; a deleted, inserted or reordered one breaks the link of the event after it.
 * Deleting events at the very end leaves a shorter valid chain: compare `headHash` with an anchor.
 */
export function createChainVerifier(sha256Hex: (text: string) => string): ChainVerifier {
  let prevHash = AUDIT_GENESIS_HASH;
  let count = 0;
  let lastId = Number.NEGATIVE_INFINITY;
  return {
    push(entry) {
      if (entry.id <= lastId) return { ok: false, count, brokenAtId: entry.id, reason: "events are out of order or repeated" };
      if (entry.prevHash !== prevHash) {
        return { ok: false, count, brokenAtId: entry.id, reason: "an event before it was deleted, inserted or reordered" };
      }
      if (sha256Hex(canonicalAuditEvent(entry)) !== entry.hash) {
        return { ok: false, count, brokenAtId: entry.id, reason: "the event was edited after it was written" };
      }
      prevHash = entry.hash;
      lastId = entry.id;
      count += 1;
      return null;
    },
    verdict: () => ({ ok: true, count, headHash: prevHash }),
  };
}
