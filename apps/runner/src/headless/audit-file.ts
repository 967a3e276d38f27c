import {
  AuditEntrySchema,
  auditFieldsAfter,
  auditJsonLine,
  canonicalAuditEvent,
  createChainVerifier,
  DomainError,
  parseAuditJsonLine,
  type AuditEntry,
  type AuditEventInput,
} from "@grove/core";
import { sha256Hex, withLockFile } from "@grove/core/node";
import { mkdir, open, readFile, realpath } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from "@grove/core/private-files";
import { assertSafeRunId } from "../run/run-paths.ts";

const LOCK_TIMEOUT_MS = 30_000;

/** Where a headless session's audit events go (`grove session run`, and later `grove approve`). */
export function sessionAuditPath(dataDir: string, sessionId: string): string {
  // A session id becomes a file name just as a run id does, so it is held to the same rule.
  return join(dataDir, "audit", `${assertSafeRunId(sessionId)}.jsonl`);
}

/**
 * Appends events to an audit file in the ledger's export format (one AuditEntry per line, ids
 * increasing, each hash chained to the previous one from the genesis hash), so `grove audit verify`
 * checks it like a dashboard export. Safe across processes: `<file>.lock` is held while the file's
 * chain is read and verified and the new lines written; inside one process appends land in call
 * order. The lines are fsynced before it resolves. Refuses (AUDIT_BROKEN) a file whose chain is
 * broken or whose last line is incomplete, naming the line; nothing is appended then.
 */
export function appendLocalAudit(path: string, records: readonly AuditEventInput[]): Promise<AuditEntry[]> {
  return inCallOrder(resolve(path), async () => {
    await mkdir(dirname(path), { recursive: true, mode: PRIVATE_DIR_MODE });
    return underLock(await resolveInFolder(path), (file) => appendNow(file, records));
  });
}

async function appendNow(file: string, records: readonly AuditEventInput[]): Promise<AuditEntry[]> {
  const existing = await readChain(file);
  let prevHash = existing.headHash;
  let id = existing.lastId;
  const entries = records.map((record) => {
    const fields = auditFieldsAfter(prevHash, record, Date.now());
    const hash = sha256Hex(canonicalAuditEvent(fields));
    prevHash = hash;
    const details: unknown = JSON.parse(fields.details);
    return AuditEntrySchema.parse({ ...fields, id: ++id, details, hash });
  });
  if (entries.length > 0) await appendDurably(file, entries.map(auditJsonLine).join(""), existing.bytes === 0);
  return entries;
}

// The lock's own queue is entered only after the folder is resolved; this one keeps call order before that.
const callOrder = new Map<string, Promise<unknown>>();

function inCallOrder<T>(key: string, fn: () => Promise<T>): Promise<T> {
  const result = (callOrder.get(key) ?? Promise.resolve()).then(fn);
  const tail = result.then(
    () => undefined,
    () => undefined,
  );
  callOrder.set(key, tail);
  void tail.then(() => {
    if (callOrder.get(key) === tail) callOrder.delete(key);
  });
  return result;
}

/**
 * Reads and verifies an audit file under its lock, so never halfway through another process's append.
 * A missing file is an empty chain; a broken one throws AUDIT_BROKEN as appendLocalAudit refuses it.
 */
export async function readLocalAudit(path: string): Promise<AuditEntry[]> {
  const file = await resolveInFolder(path).catch((error: unknown) => {
    if (isMissing(error)) return null;
    throw error;
  });
  return file === null ? [] : underLock(file, async () => (await readChain(file)).entries);
}

/** The lock's name must not depend on how a caller spelled the path (relative, through a symlink). */
async function resolveInFolder(path: string): Promise<string> {
  return join(await realpath(dirname(path)), basename(path));
}

function underLock<T>(file: string, fn: (file: string) => Promise<T>): Promise<T> {
  return withLockFile(`${file}.lock`, () => fn(file), { timeoutMs: LOCK_TIMEOUT_MS, what: "the audit file lock" });
}

type Chain = { entries: AuditEntry[]; lastId: number; headHash: string; bytes: number };

async function readChain(path: string): Promise<Chain> {
  const buffer = await readFile(path).catch((error: unknown) => {
    if (isMissing(error)) return Buffer.alloc(0);
    throw error;
  });
  const text = buffer.toString("utf8");
  const lines = text.split("\n");
  // After a final "\n" split leaves "", so the last element is whatever follows the last complete line.
  const torn = lines.pop() ?? "";
  const verifier = createChainVerifier(sha256Hex);
  const entries: AuditEntry[] = [];
  for (const [index, line] of lines.entries()) {
    if (line.trim() === "") continue;
    let fields: ReturnType<typeof parseAuditJsonLine>;
    try {
      fields = parseAuditJsonLine(line);
    } catch {
      throw broken(path, `line ${index + 1} is not an audit event`);
    }
    const verdict = verifier.push(fields);
    if (verdict && !verdict.ok)
      throw broken(path, `the chain breaks at event ${verdict.brokenAtId} (line ${index + 1}): ${verdict.reason}`);
    entries.push(AuditEntrySchema.parse(JSON.parse(line)));
  }
  if (torn !== "") {
    // Counted in the file's bytes: a cut can fall inside a multi-byte character.
    const intact = buffer.lastIndexOf(0x0a) + 1;
    throw broken(
      path,
      `its last line (line ${lines.length + 1}) is incomplete: a write was cut off, e.g. by a crash. The ${entries.length} event(s) before it verify. ` +
        `Keep a copy, then cut the incomplete line off (truncate -s ${intact} '${path}') to append again`,
    );
  }
  const verdict = verifier.verdict();
  return { entries, lastId: entries.at(-1)?.id ?? 0, headHash: verdict.ok ? verdict.headHash : "", bytes: buffer.length };
}

function isMissing(error: unknown): boolean {
  return typeof error === "object" && error !== null && "code" in error && error.code === "ENOENT";
}

function broken(path: string, why: string): DomainError {
  return new DomainError("AUDIT_BROKEN", `The audit file ${path} cannot be appended to: ${why}.`);
}

/** One write, then fsync (and of the folder when the file is new), so an event reported written survives a crash. */
async function appendDurably(path: string, text: string, isNew: boolean): Promise<void> {
  const handle = await open(path, "a", PRIVATE_FILE_MODE);
  try {
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
  if (!isNew) return;
  const folder = await open(dirname(path), "r");
  try {
    await folder.sync();
  } finally {
    await folder.close();
  }
}
