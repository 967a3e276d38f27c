import { queryDirect, type Db, type DialectSql } from "./client.ts";

/** One merge queue: a repository (its `grove.repositoryId`) and one of its integration branches. */
export type QueueKey = { repositoryId: string; integration: string };
/** Who asks: the runner, and its process (a restarted runner is a new holder, with a new epoch). */
export type QueueHolder = { runnerId: string; instance: string };

export type QueueLeaseRow = QueueKey & QueueHolder & { epoch: number; expiresAtMs: number; acquiredAtMs: number };

export type QueueLeaseAnswer =
  /**
   * The caller holds the lease until `expiresAtMs` (database clock); `isNew`: it did not hold it before this call;
   * `hadRunOut`: it held it, but its lease had run out (a holder paused past it, which no one took over meanwhile).
   */
  | {
      kind: "held";
      epoch: number;
      expiresAtMs: number;
      nowMs: number;
      isNew: boolean;
      hadRunOut: boolean;
      previous: QueueLeaseRow | null;
    }
  /** Someone else holds it, live, until `lease.expiresAtMs`. */
  | { kind: "taken"; lease: QueueLeaseRow; nowMs: number };

export const MAX_QUEUE_LEASE_MS = 10 * 60_000;

/** The database's clock in ms since 1970: every expiry is computed and compared on one clock, whichever process asks. */
const NOW_MS: { sqlite: string; postgresql: string } = {
  sqlite: "CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)",
  postgresql: "CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT)",
};
const COLUMNS = `"repositoryId", "integration", "runnerId", "instance", "epoch", "expiresAtMs", "acquiredAtMs"`;
const SAME_HOLDER = `"QueueLease"."runnerId" = excluded."runnerId" AND "QueueLease"."instance" = excluded."instance"`;

/** Both dialects of one statement that reads the database clock (`NOW`) in it. */
function withNow(sql: string): DialectSql {
  return {
    sqlite: sql.replaceAll("NOW", NOW_MS.sqlite),
    postgresql: sql.replaceAll("NOW", NOW_MS.postgresql).replace(/\?(\d+)/g, "$$$1"),
  };
}

/**
 * Acquires or renews the lease of one queue in ONE statement (an upsert that changes the row only when the
 * caller's runner holds it or it expired), so two runners asking at once never both hold it. A new holder gets
 * the epoch after the last one's; the same holder renewing keeps its epoch. A runner's new process (restarted
 * after a crash) takes its runner's lease over at once, with the next epoch: the hub keeps one connection per
 * runner, and the fence in git stops whatever the old process might still try. A renewal never brings a live
 * lease's expiry forward: only a release (or running out) ends a holder's term early.
 */
export async function acquireQueueLease(
  db: Db,
  key: QueueKey,
  holder: QueueHolder,
  durationMs: number,
): Promise<QueueLeaseAnswer> {
  validateLease(key, holder, durationMs);
  const before = await readQueueLease(db, key);
  const rows = await queryDirect<Record<string, unknown>>(
    db,
    withNow(
      `INSERT INTO "QueueLease" (${COLUMNS}) VALUES (?1, ?2, ?3, ?4, 1, NOW + ?5, NOW)
       ON CONFLICT ("repositoryId", "integration") DO UPDATE SET
         "epoch" = CASE WHEN ${SAME_HOLDER} THEN "QueueLease"."epoch" ELSE "QueueLease"."epoch" + 1 END,
         "acquiredAtMs" = CASE WHEN ${SAME_HOLDER} THEN "QueueLease"."acquiredAtMs" ELSE excluded."acquiredAtMs" END,
         "expiresAtMs" = CASE WHEN ${SAME_HOLDER} AND "QueueLease"."expiresAtMs" > excluded."expiresAtMs"
           THEN "QueueLease"."expiresAtMs" ELSE excluded."expiresAtMs" END,
         "runnerId" = excluded."runnerId", "instance" = excluded."instance"
       WHERE "QueueLease"."runnerId" = excluded."runnerId" OR "QueueLease"."expiresAtMs" <= NOW
       RETURNING "epoch", "expiresAtMs", "acquiredAtMs", NOW AS "nowMs"`,
    ),
    [key.repositoryId, key.integration, holder.runnerId, holder.instance, durationMs],
  );
  const row = rows[0];
  if (row) {
    const epoch = Number(row.epoch);
    const isNew = !(
      before &&
      before.runnerId === holder.runnerId &&
      before.instance === holder.instance &&
      before.epoch === epoch
    );
    const nowMs = Number(row.nowMs);
    const hadRunOut = !isNew && before !== null && before.expiresAtMs <= nowMs;
    return {
      kind: "held",
      epoch,
      expiresAtMs: Number(row.expiresAtMs),
      nowMs,
      isNew,
      hadRunOut,
      previous: isNew ? before : null,
    };
  }
  const lease = await readQueueLease(db, key);
  if (!lease) return acquireQueueLease(db, key, holder, durationMs);
  return { kind: "taken", lease, nowMs: await databaseNowMs(db) };
}

/** Gives the lease up at once (a runner stopping): the next runner to ask takes over, with the next epoch. */
export async function releaseQueueLease(db: Db, key: QueueKey, holder: QueueHolder): Promise<boolean> {
  const rows = await queryDirect(
    db,
    withNow(
      `UPDATE "QueueLease" SET "expiresAtMs" = 0 WHERE "repositoryId" = ?1 AND "integration" = ?2 AND "runnerId" = ?3
       AND "instance" = ?4 AND "expiresAtMs" > NOW RETURNING "epoch"`,
    ),
    [key.repositoryId, key.integration, holder.runnerId, holder.instance],
  );
  return rows.length > 0;
}

export async function readQueueLease(db: Db, key: QueueKey): Promise<QueueLeaseRow | null> {
  const rows = await queryDirect<Record<string, unknown>>(
    db,
    `SELECT ${COLUMNS} FROM "QueueLease" WHERE "repositoryId" = ?1 AND "integration" = ?2`,
    [key.repositoryId, key.integration],
  );
  return rows[0] ? rowOf(rows[0]) : null;
}

/** The lease of one queue if it has not expired (on the database clock), else null. */
export async function readLiveQueueLease(db: Db, key: QueueKey): Promise<QueueLeaseRow | null> {
  const rows = await queryDirect<Record<string, unknown>>(
    db,
    withNow(`SELECT ${COLUMNS} FROM "QueueLease" WHERE "repositoryId" = ?1 AND "integration" = ?2 AND "expiresAtMs" > NOW`),
    [key.repositoryId, key.integration],
  );
  return rows[0] ? rowOf(rows[0]) : null;
}

/** The leases not yet expired (on the database clock): the queues' owners now. */
export async function liveQueueLeases(db: Db): Promise<QueueLeaseRow[]> {
  const rows = await queryDirect<Record<string, unknown>>(
    db,
    withNow(`SELECT ${COLUMNS} FROM "QueueLease" WHERE "expiresAtMs" > NOW ORDER BY "repositoryId", "integration" LIMIT 1000`),
    [],
  );
  return rows.map(rowOf);
}

export async function databaseNowMs(db: Db): Promise<number> {
  const rows = await queryDirect<Record<string, unknown>>(db, withNow(`SELECT NOW AS "nowMs"`), []);
  return Number(rows[0]?.nowMs);
}

function rowOf(row: Record<string, unknown>): QueueLeaseRow {
  return {
    repositoryId: String(row.repositoryId),
    integration: String(row.integration),
    runnerId: String(row.runnerId),
    instance: String(row.instance),
    epoch: Number(row.epoch),
    expiresAtMs: Number(row.expiresAtMs),
    acquiredAtMs: Number(row.acquiredAtMs),
  };
}

function validateLease(key: QueueKey, holder: QueueHolder, durationMs: number): void {
  for (const [name, value] of Object.entries({ ...key, ...holder }))
    if (value.length === 0 || value.length > 256) throw new Error(`queue lease: ${name} must be 1 to 256 characters`);
  if (!Number.isInteger(durationMs) || durationMs < 1 || durationMs > MAX_QUEUE_LEASE_MS)
    throw new Error(`queue lease: the duration must be 1 to ${MAX_QUEUE_LEASE_MS} ms`);
}
