"use client";
import { useState } from "react";
import { useTRPCClient } from "../../lib/trpc.ts";
import { Button } from "../ui/button.tsx";
import type { toAuditQuery } from "./audit-filters.tsx";

/** Downloads the filtered ledger; JSONL carries every hashed field, so `grove audit verify` can check it offline. */
export function AuditExport({ filter }: { filter: ReturnType<typeof toAuditQuery> }) {
  const client = useTRPCClient();
  const [error, setError] = useState<string | null>(null);
  const download = async (format: "jsonl" | "csv") => {
    setError(null);
    try {
      const file = await client.audit.export.query({ format, filter });
      const url = URL.createObjectURL(new Blob([file.body], { type: format === "csv" ? "text/csv" : "application/x-ndjson" }));
      const link = document.createElement("a");
      link.href = url;
      link.download = `grove-audit.${format}`;
      link.click();
      URL.revokeObjectURL(url);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };
  return (
    <div className="flex flex-wrap items-center gap-2">
      <Button size="sm" onClick={() => void download("jsonl")}>
        Export JSONL
      </Button>
      <Button size="sm" onClick={() => void download("csv")}>
        Export CSV
      </Button>
      {error && (
        <span role="alert" className="text-xs text-red-700">
          {error}
        </span>
      )}
    </div>
  );
}
