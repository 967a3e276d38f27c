import {
  AUDIT_GENESIS_HASH,
  AuditEntrySchema,
  createChainVerifier,
  type AuditEntry,
  type ChainVerdict,
  type HashedAuditFields,
} from "./audit-chain.ts";

export type AuditExportFormat = "jsonl" | "csv";

export const AUDIT_CSV_COLUMNS = [
  "id",
  "time",
  "ts",
  "actorType",
  "actorId",
  "action",
  "subject",
  "sessionId",
  "runId",
  "branch",
  "sha",
  "details",
  "prevHash",
  "hash",
] as const;

/** One JSONL line: every hashed field, so `grove audit verify` can recompute the chain from the file. */
export function auditJsonLine(entry: AuditEntry): string {
  return `${JSON.stringify(entry)}\n`;
}

export function auditCsvHeader(): string {
  return `${AUDIT_CSV_COLUMNS.join(",")}\r\n`;
}

/** One RFC 4180 row. Cells a spreadsheet would run as a formula (= + - @ first) get a leading apostrophe. */
export function auditCsvRow(entry: AuditEntry): string {
  const cells = [
    entry.id,
    new Date(entry.ts).toISOString(),
    entry.ts,
    entry.actorType,
    entry.actorId,
    entry.action,
    entry.subject,
    entry.sessionId,
    entry.runId,
    entry.branch,
    entry.sha,
    JSON.stringify(entry.details),
    entry.prevHash,
    entry.hash,
  ];
  return `${cells.map((cell) => csvCell(cell === null ? "" : String(cell))).join(",")}\r\n`;
}

function csvCell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) && !/^-?\d+(\.\d+)?$/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** Parses one exported JSONL line back into the fields the chain hashes; throws on anything else. */
export function parseAuditJsonLine(line: string): HashedAuditFields & { id: number; hash: string } {
  const entry = AuditEntrySchema.parse(JSON.parse(line));
  return { ...entry, details: JSON.stringify(entry.details) };
}

export type ExportVerdict =
  | (ChainVerdict & { anchorFound: boolean | null })
  | { ok: false; count: number; brokenAtId: null; reason: string; anchorFound: null; notAnExport?: true };

/**
 * Verifies a full JSONL export line by line: the hash chain from the genesis hash, and (with `anchor`)
 * that an event with that hash — a head recorded earlier — is still in it, so a cut-off tail is caught too.
 * A file whose first line is no audit event is not an export at all (`notAnExport`), not a broken one.
 */
export async function verifyAuditExport(
  lines: AsyncIterable<string> | Iterable<string>,
  sha256Hex: (text: string) => string,
  anchor?: string,
): Promise<ExportVerdict> {
  const verifier = createChainVerifier(sha256Hex);
  let anchorFound = false;
  let lineNo = 0;
  let events = 0;
  for await (const line of lines) {
    lineNo += 1;
    if (line.trim() === "") continue;
    let entry: ReturnType<typeof parseAuditJsonLine>;
    try {
      entry = parseAuditJsonLine(line);
    } catch (error) {
      const what = error instanceof SyntaxError ? "not JSON" : "not an exported audit event";
      const first = events === 0 ? { notAnExport: true as const } : {};
      return { ok: false, count: events, brokenAtId: null, reason: `line ${lineNo} is ${what}`, anchorFound: null, ...first };
    }
    if (events++ === 0 && entry.prevHash !== AUDIT_GENESIS_HASH) {
      return {
        ok: false,
        count: 0,
        brokenAtId: null,
        reason: "the export does not start at the first event (a filtered or partial export cannot be verified)",
        anchorFound: null,
      };
    }
    const broken = verifier.push(entry);
    if (broken) return { ...broken, anchorFound: null };
    if (entry.hash === anchor) anchorFound = true;
  }
  return { ...verifier.verdict(), anchorFound: anchor === undefined ? null : anchorFound };
}
