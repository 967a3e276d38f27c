"use client";
import { useDeferredValue, useEffect, useState } from "react";
import { useQueries } from "@tanstack/react-query";
import { useTRPC } from "../../lib/trpc.ts";
import { AuditExport } from "../../components/audit/audit-export.tsx";
import { AuditFilters, EMPTY_FILTER, toAuditQuery } from "../../components/audit/audit-filters.tsx";
import { AuditTable } from "../../components/audit/audit-table.tsx";
import { ChainBadge } from "../../components/audit/chain-badge.tsx";
import { CommitLookup } from "../../components/audit/commit-lookup.tsx";
import { Card } from "../../components/card.tsx";
import { Button } from "../../components/ui/button.tsx";
import { Empty, ErrorText, PageHeader } from "../../components/ui/feedback.tsx";

const PAGE = 200;

export default function AuditPage() {
  const trpc = useTRPC();
  const [draft, setDraft] = useState(EMPTY_FILTER);
  const deferred = useDeferredValue(draft);
  const filter = toAuditQuery(deferred);
  // Keyset pages: the first, then one per "load older", each starting below the last id seen.
  const [cursors, setCursors] = useState<(number | undefined)[]>([undefined]);
  useEffect(() => setCursors([undefined]), [deferred]);
  const pages = useQueries({
    queries: cursors.map((beforeId) => trpc.audit.list.queryOptions({ ...filter, beforeId, limit: PAGE })),
  });
  const rows = pages.flatMap((p) => p.data?.events ?? []);
  const last = pages.at(-1);
  const error = pages.find((p) => p.error)?.error;
  // A page may stop early at the server's byte bound; its nextBeforeId says whether older events remain.
  const nextBeforeId = last?.data?.nextBeforeId ?? null;

  return (
    <div className="space-y-4">
      <PageHeader
        title="Audit"
        description="Every step of every agent branch, hash-chained and append-only."
        actions={<ChainBadge />}
      />
      <Card title="Filters" actions={<AuditExport filter={filter} />}>
        <AuditFilters value={draft} onChange={setDraft} />
      </Card>
      <Card title="Events">
        <ErrorText error={error} />
        {last?.isSuccess && rows.length === 0 && <Empty>No event matches these filters.</Empty>}
        {rows.length > 0 && <AuditTable events={rows} />}
        {nextBeforeId !== null && (
          <Button className="mt-3" onClick={() => setCursors((c) => [...c, nextBeforeId])} disabled={last?.isFetching}>
            {last?.isFetching ? "Loading…" : "Load older events"}
          </Button>
        )}
      </Card>
      <CommitLookup />
    </div>
  );
}
