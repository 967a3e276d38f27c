import { auditCsvHeader, auditCsvRow, auditJsonLine, type AuditExportFormat } from "@grove/core";
import { iterateAuditEvents, type AuditFilter, type Db } from "@grove/db";

export const MAX_TRPC_EXPORT_EVENTS = 50_000;
/** The tRPC export is one string in memory; the dashboard downloads through the streaming GET route instead. */
export const MAX_TRPC_EXPORT_CHARS = 8 * 1024 * 1024;

/**
 * Writes the filtered ledger, oldest first, in chunks; returns how many events were written. Stops after
 * `max` events, or once `maxChars` are written (the event that passes it is the last).
 */
export async function exportAudit(
  db: Db,
  format: AuditExportFormat,
  filter: Omit<AuditFilter, "beforeId" | "limit">,
  write: (chunk: string) => void | Promise<void>,
  max = Number.POSITIVE_INFINITY,
  maxChars = Number.POSITIVE_INFINITY,
): Promise<number> {
  if (format === "csv") await write(auditCsvHeader());
  let count = 0;
  let buffer = "";
  let written = 0;
  for await (const entry of iterateAuditEvents(db, filter)) {
    if (count >= max || written + buffer.length >= maxChars) break;
    buffer += format === "csv" ? auditCsvRow(entry) : auditJsonLine(entry);
    count += 1;
    if (buffer.length > 64_000) {
      await write(buffer);
      written += buffer.length;
      buffer = "";
    }
  }
  if (buffer) await write(buffer);
  return count;
}
