import { createHash } from "node:crypto";
import pRetry, { type Options as RetryOptions } from "p-retry";
import {
  AUDIT_GENESIS_HASH,
  auditFieldsAfter,
  canonicalAuditEvent,
  createChainVerifier,
  type AuditEventInput,
  type ChainVerdict,
  type HashedAuditFields,
} from "@grove/core";
import { databaseProvider, type DatabaseProvider, type Db, type Prisma } from "./client.ts";

export const GENESIS_HASH = AUDIT_GENESIS_HASH;

export type { AuditActorType } from "@grove/core";
export type AuditInput = AuditEventInput;
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

type HashedFields = HashedAuditFields;

export function hashAuditEvent(fields: HashedFields): string {
  return createHash("sha256").update(canonicalAuditEvent(fields)).digest("hex");
}

/**
 * SQLite answers SQLITE_BUSY(_SNAPSHOT) when another connection wrote between this transaction's read of
 * the chain head and its write; the busy timeout cannot help there, but running the append again can:
 * up to 8 more times, after ~20 ms doubling, jittered so two writers do not collide again.
 */
const BUSY_RETRY = {
  retries: 8,
  minTimeout: 15,
  factor: 2,
  randomize: true,
  shouldRetry: ({ error }) => /SQLITE_BUSY|database is locked/.test(error.message),
} satisfies RetryOptions;

// Appends are chained, so they must not interleave: one queue per database handle.
const appendQueues = new WeakMap<Db, Promise<unknown>>();

export function appendAuditEvent(db: Db, input: AuditInput): Promise<AuditEventDto> {
  const previous = appendQueues.get(db) ?? Promise.resolve();
  const next = previous.catch(() => undefined).then(() => pRetry(() => appendNow(db, input), BUSY_RETRY));
  appendQueues.set(db, next);
  return next;
}

/** The busy rerun above, for work that appends its audit events in the chain's turn. */
function withBusyRetry<T>(fn: () => Promise<T>): Promise<T> {
  return pRetry(fn, BUSY_RETRY);
}

function appendNow(db: Db, input: AuditInput): Promise<AuditEventDto> {
  return db.$transaction((tx) => appendAuditIn(tx, databaseProvider(db), input));
}

export type Tx = Prisma.TransactionClient;

// The chain's turn across every process sharing a PostgreSQL database (the queue above is per process).
const AUDIT_CHAIN_LOCK = 0x67726f7665;

/**
 * Appends one event inside the caller's transaction; only for work already in the chain's turn (below).
 * On PostgreSQL, other instances append to the same chain: a transaction-scoped advisory lock makes them
 * take turns, each reading the head only once the previous append committed (read committed reads the
 * latest commit per statement). SQLite has one writer at a time, and a transaction that read a head another
 * process has since moved fails with SQLITE_BUSY and runs again (BUSY_RETRY).
 */
async function appendAuditIn(tx: Tx, provider: DatabaseProvider, input: AuditInput): Promise<AuditEventDto> {
  if (provider === "postgresql") await tx.$executeRawUnsafe(`SELECT pg_advisory_xact_lock(${AUDIT_CHAIN_LOCK})`);
  const last = await tx.auditEvent.findFirst({ orderBy: { id: "desc" }, select: { hash: true } });
  const fields = auditFieldsAfter(last?.hash ?? GENESIS_HASH, input, Date.now());
  const hash = hashAuditEvent(fields);
  const row = await tx.auditEvent.create({ data: { ...fields, ts: BigInt(fields.ts), hash } });
  return toAuditDto(row);
}

/**
 * Runs `work` and appends the audit events it returns in one transaction, in the chain's turn: a state
 * change and the fact it records commit together or not at all. `work` may run more than once (a busy
 * database is retried), so it must only touch the database through `tx`.
 */
export function withAuditedTransaction<T>(
  db: Db,
  work: (tx: Tx) => Promise<{ value: T; audit: readonly AuditInput[] }>,
): Promise<{ value: T; events: AuditEventDto[] }> {
  const previous = appendQueues.get(db) ?? Promise.resolve();
  const next = previous
    .catch(() => undefined)
    .then(() =>
      withBusyRetry(() =>
        db.$transaction(async (tx) => {
          const { value, audit } = await work(tx);
          const events: AuditEventDto[] = [];
          for (const input of audit) events.push(await appendAuditIn(tx, databaseProvider(db), input));
          return { value, events };
        }),
      ),
    );
  appendQueues.set(db, next);
  return next;
}

export type { ChainVerdict };

/** Walks the whole chain: an edited, deleted or reordered event breaks it. */
export async function verifyAuditChain(db: Db): Promise<ChainVerdict> {
  const verifier = createChainVerifier((text) => createHash("sha256").update(text).digest("hex"));
  let cursor = 0;
  for (;;) {
    const rows = await db.auditEvent.findMany({ where: { id: { gt: cursor } }, orderBy: { id: "asc" }, take: 1000 });
    if (rows.length === 0) return verifier.verdict();
    for (const row of rows) {
      const broken = verifier.push({ ...row, ts: Number(row.ts) });
      if (broken) return broken;
      cursor = row.id;
    }
  }
}

type AuditRow = Awaited<ReturnType<Db["auditEvent"]["create"]>>;

export function toAuditDto(row: AuditRow): AuditEventDto {
  let details: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(row.details);
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) details = parsed as Record<string, unknown>;
  } catch {
    details = { unparsable: row.details };
  }
  return { ...row, ts: Number(row.ts), details };
}
