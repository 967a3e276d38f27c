import type { AuditEntry } from "@grove/core";
import type { Db, Prisma } from "./client.ts";
import { toAuditDto } from "./audit.ts";

export type AuditFilter = {
  sessionId?: string;
  runId?: string;
  branch?: string;
  /** Events of the agent's branches (`agent/<agent>/...`). */
  agent?: string;
  actorId?: string;
  actorType?: string;
  /** Exact action, or a family with a trailing dot: `merge.` */
  action?: string;
  sha?: string;
  /** Epoch ms, inclusive. */
  since?: number;
  until?: number;
  /** Keyset paging: events older than this id. */
  beforeId?: number;
  limit?: number;
};

export function auditWhere(filter: AuditFilter): Prisma.AuditEventWhereInput {
  const branch = filter.branch ?? (filter.agent === undefined ? undefined : { startsWith: `agent/${filter.agent}/` });
  const action = filter.action?.endsWith(".") ? { startsWith: filter.action } : filter.action;
  return {
    sessionId: filter.sessionId,
    runId: filter.runId,
    branch,
    actorId: filter.actorId,
    actorType: filter.actorType,
    action,
    sha: filter.sha,
    ts:
      filter.since === undefined && filter.until === undefined
        ? undefined
        : { gte: toBig(filter.since), lte: toBig(filter.until) },
    id: filter.beforeId === undefined ? undefined : { lt: filter.beforeId },
  };
}

/** Newest first, at most 1000 per page. */
export async function listAuditEvents(db: Db, filter: AuditFilter = {}): Promise<AuditEntry[]> {
  const rows = await db.auditEvent.findMany({
    where: auditWhere(filter),
    orderBy: { id: "desc" },
    take: Math.min(filter.limit ?? 200, 1000),
  });
  return rows.map(toAuditDto);
}

/** A page of the ledger, newest first, and the `beforeId` of the next (older) page: null when none follows. */
export type AuditPage = { events: AuditEntry[]; nextBeforeId: number | null };

const PAGE_READ_BATCH = 50;

/**
 * Newest first, at most `filter.limit` (≤ 1000) events and, past the first, at most `maxBytes` of JSON:
 * an event's details come from runners and users, so a bound on events alone is not a bound on memory.
 */
export async function listAuditPage(db: Db, filter: AuditFilter, maxBytes: number): Promise<AuditPage> {
  const limit = Math.min(filter.limit ?? 200, 1000);
  const events: AuditEntry[] = [];
  let bytes = 0;
  let beforeId = filter.beforeId;
  for (;;) {
    const rows = await db.auditEvent.findMany({
      where: auditWhere({ ...filter, beforeId }),
      orderBy: { id: "desc" },
      take: PAGE_READ_BATCH,
    });
    for (const row of rows) {
      const event = toAuditDto(row);
      const size = Buffer.byteLength(JSON.stringify(event));
      if (events.length >= limit || (events.length > 0 && bytes + size > maxBytes))
        return { events, nextBeforeId: events.at(-1)?.id ?? null };
      events.push(event);
      bytes += size;
    }
    if (rows.length < PAGE_READ_BATCH) return { events, nextBeforeId: null };
    beforeId = rows.at(-1)?.id;
  }
}

/** Every matching event in chain order (oldest first), page by page: for exports of any size. */
export async function* iterateAuditEvents(
  db: Db,
  filter: Omit<AuditFilter, "beforeId" | "limit"> = {},
): AsyncGenerator<AuditEntry> {
  let cursor = 0;
  for (;;) {
    const rows = await db.auditEvent.findMany({
      where: { AND: [auditWhere(filter), { id: { gt: cursor } }] },
      orderBy: { id: "asc" },
      take: 1000,
    });
    if (rows.length === 0) return;
    for (const row of rows) yield toAuditDto(row);
    cursor = rows.at(-1)?.id ?? cursor;
  }
}

function toBig(ms: number | undefined): bigint | undefined {
  return ms === undefined ? undefined : BigInt(Math.trunc(ms));
}
