import { AuditEntrySchema, type AuditEntry, type HashedAuditFields } from "./audit-chain.ts";

export type AuditExportFormat = "jsonl" | "csv";

export const AUDIT_CSV_COLUMNS = ["id", "time", "ts", "actorType", "actorId", "action", "subject", "sessionId", "runId", "branch", "sha", "details", "prevHash", "hash"] as const;

/** One JSONL line: every hashed field, so `grove audit verify` can recompute the chain from the file. */
export function auditJsonLine(entry: AuditEntry): string {
  return `${JSON.stringify(entry)}\n`;
}

export function auditCsvHeader(): string {
  return `${AUDIT_CSV_COLUMNS.join(",")}\r\n`;
}

/** One RFC 4180 row. Cells a spreadsheet would run as a formula (= + - @ first) get a leading apostrophe. */
export function auditCsvRow(entry: AuditEntry): string {
  const cells = [entry.id, new Date(entry.ts).toISOString(), entry.ts, entry.actorType, entry.actorId, entry.action, entry.subject, entry.sessionId, entry.runId, entry.branch, entry.sha, JSON.stringify(entry.details), entry.prevHash, entry.hash];
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
