import { createHash } from "node:crypto";
import type { Db } from "./client.ts";

export const GENESIS_HASH = "0".repeat(64);

export type AuditActorType = "user" | "runner" | "system";
export type AuditInput = {
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
export type AuditEventDto = {
  id: number;
  ts: number;
  actorType: string;
  actorId: string;
  action: string;
  subject: string;
  sessionId: string | null;
  runId: string | null;
  branch: string | null;
  sha: string | null;
  details: Record<string, unknown>;
  prevHash: string;
  hash: string;
};

type HashedFields = Omit<AuditEventDto, "id" | "hash" | "details"> & { details: string };

export function hashAuditEvent(fields: HashedFields): string {
  const canonical = JSON.stringify([
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
  return createHash("sha256").update(canonical).digest("hex");
}

// Appends are chained, so they must not interleave: one queue per database handle.
const appendQueues = new WeakMap<Db, Promise<unknown>>();

export function appendAuditEvent(db: Db, input: AuditInput): Promise<AuditEventDto> {
  const previous = appendQueues.get(db) ?? Promise.resolve();
  const next = previous.catch(() => undefined).then(() => appendNow(db, input));
  appendQueues.set(db, next);
  return next;
}

async function appendNow(db: Db, input: AuditInput): Promise<AuditEventDto> {
  return db.$transaction(async (tx) => {
    const last = await tx.auditEvent.findFirst({ orderBy: { id: "desc" }, select: { hash: true } });
    const fields: HashedFields = {
      prevHash: last?.hash ?? GENESIS_HASH,
      ts: input.ts ?? Date.now(),
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
    const hash = hashAuditEvent(fields);
    const row = await tx.auditEvent.create({ data: { ...fields, ts: BigInt(fields.ts), hash } });
    return toDto(row);
  });
}

export type AuditFilter = {
  sessionId?: string;
  runId?: string;
  branch?: string;
  actorId?: string;
  action?: string;
  limit?: number;
};

export async function listAuditEvents(db: Db, filter: AuditFilter = {}): Promise<AuditEventDto[]> {
  const rows = await db.auditEvent.findMany({
    where: {
      sessionId: filter.sessionId,
      runId: filter.runId,
      branch: filter.branch,
      actorId: filter.actorId,
      action: filter.action,
    },
    orderBy: { id: "desc" },
    take: Math.min(filter.limit ?? 200, 1000),
  });
  return rows.map(toDto);
}

export type ChainVerdict = { ok: true; count: number } | { ok: false; count: number; brokenAtId: number; reason: string };

/** Walks the whole chain: an edited, deleted or reordered event breaks it. */
export async function verifyAuditChain(db: Db): Promise<ChainVerdict> {
  let prevHash = GENESIS_HASH;
  let count = 0;
  let cursor = 0;
  for (;;) {
    const rows = await db.auditEvent.findMany({ where: { id: { gt: cursor } }, orderBy: { id: "asc" }, take: 1000 });
    if (rows.length === 0) return { ok: true, count };
    for (const row of rows) {
      const dto = toDto(row);
      if (dto.prevHash !== prevHash) {
        return { ok: false, count, brokenAtId: dto.id, reason: "an event before it was deleted, inserted or reordered" };
      }
      if (hashAuditEvent({ ...dto, details: row.details }) !== dto.hash) {
        return { ok: false, count, brokenAtId: dto.id, reason: "the event was edited after it was written" };
      }
      prevHash = dto.hash;
      count += 1;
      cursor = dto.id;
    }
  }
}

type AuditRow = Awaited<ReturnType<Db["auditEvent"]["create"]>>;

function toDto(row: AuditRow): AuditEventDto {
  let details: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(row.details);
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) details = parsed as Record<string, unknown>;
  } catch {
    details = { unparsable: row.details };
  }
  return { ...row, ts: Number(row.ts), details };
}
