import { auditCsvHeader, auditCsvRow, auditJsonLine, type AuditExportFormat } from "@grove/core";
import { iterateAuditEvents, type AuditFilter, type Db } from "@grove/db";

export const MAX_TRPC_EXPORT_EVENTS = 50_000;

/** Writes the filtered ledger, oldest first, in chunks; returns how many events were written. */
export async function exportAudit(db: Db, format: AuditExportFormat, filter: Omit<AuditFilter, "beforeId" | "limit">, write: (chunk: string) => void | Promise<void>, max = Number.POSITIVE_INFINITY): Promise<number> {
  if (format === "csv") await write(auditCsvHeader());
  let count = 0;
  let buffer = "";
  for await (const entry of iterateAuditEvents(db, filter)) {
    if (count >= max) break;
    buffer += format === "csv" ? auditCsvRow(entry) : auditJsonLine(entry);
    count += 1;
    if (buffer.length > 64_000) {
      await write(buffer);
      buffer = "";
    }
  }
  if (buffer) await write(buffer);
  return count;
}
