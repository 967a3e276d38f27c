"use client";
import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "../../lib/trpc.ts";

/** The whole ledger's hash chain, recomputed on the server: any edited, deleted or reordered event breaks it. */
export function ChainBadge() {
  const trpc = useTRPC();
  const verdict = useQuery(trpc.audit.verify.queryOptions());
  if (!verdict.data) return <span className="text-xs text-stone-500">Verifying the chain…</span>;
  const v = verdict.data;
  return (
    <span
      role="status"
      aria-label="Chain verification"
      className={`rounded-full px-3 py-1 text-xs font-medium ${v.ok ? "bg-emerald-100 text-emerald-800 dark:bg-emerald-950 dark:text-emerald-300" : "bg-red-100 text-red-800 dark:bg-red-950 dark:text-red-300"}`}
    >
      {v.ok ? `✓ Chain verified: ${v.count} events` : `✗ Chain broken at event ${v.brokenAtId}: ${v.reason}`}
    </span>
  );
}
