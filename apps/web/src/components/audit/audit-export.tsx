"use client";
import { Button } from "../ui/button.tsx";
import type { toAuditQuery } from "./audit-filters.tsx";

/** GET /api/audit/export with the filters: the server streams the file, whatever the ledger's size. */
function exportUrl(format: "jsonl" | "csv", filter: ReturnType<typeof toAuditQuery>): string {
  const params = new URLSearchParams({ format });
  for (const [key, value] of Object.entries(filter)) if (value !== undefined) params.set(key, String(value));
  return `/api/audit/export?${params.toString()}`;
}

/** Downloads the filtered ledger; JSONL carries every hashed field, so `grove audit verify` can check it offline. */
export function AuditExport({ filter }: { filter: ReturnType<typeof toAuditQuery> }) {
  const download = (format: "jsonl" | "csv") => {
    const link = document.createElement("a");
    link.href = exportUrl(format, filter);
    link.download = `grove-audit.${format}`;
    link.click();
  };
  return (
    <div className="flex flex-wrap items-center gap-2">
      <Button size="sm" onClick={() => download("jsonl")}>
        Export JSONL
      </Button>
      <Button size="sm" onClick={() => download("csv")}>
        Export CSV
      </Button>
    </div>
  );
}
