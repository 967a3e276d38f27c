"use client";
import { formatUsage } from "@grove/core/usage";
import Link from "next/link";
import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "../../lib/trpc.ts";
import { Card } from "../card.tsx";
import { Empty } from "../ui/feedback.tsx";

type Row = { key: string; runs: number; tokensIn: number; tokensOut: number; costUsd: number | null };

/** Tokens and cost of the last 7 days' runs, per day, per agent and per session (what the agents' CLIs reported). */
export function UsageTotals() {
  const trpc = useTRPC();
  const usage = useQuery(trpc.session.usage.queryOptions({ days: 7 }));
  const data = usage.data;
  return (
    <Card title="Cost and tokens">
      {data?.total.runs === 0 && <Empty>No run has reported tokens or cost in the last 7 days.</Empty>}
      {data && data.total.runs > 0 && (
        <div className="space-y-3 text-xs">
          <p className="text-sm">
            Last 7 days: {formatUsage(data.total)} over {data.total.runs} run(s)
          </p>
          <UsageTable title="Per day" rows={data.byDay} />
          <UsageTable title="Per agent" rows={data.byAgent} />
          <UsageTable title="Per session" rows={data.bySession} link={(key) => `/sessions/${key}`} />
        </div>
      )}
    </Card>
  );
}

function UsageTable({ title, rows, link }: { title: string; rows: Row[]; link?: (key: string) => string }) {
  return (
    <table className="w-full" aria-label={`Usage ${title.toLowerCase()}`}>
      <caption className="mb-1 text-left font-semibold uppercase tracking-wide text-stone-500">{title}</caption>
      <tbody>
        {rows.map((row) => (
          <tr key={row.key} className="border-t border-stone-100 dark:border-stone-800">
            <td className="py-0.5 font-mono">
              {link ? (
                <Link href={link(row.key)} className="text-emerald-700 hover:underline dark:text-emerald-400">
                  {row.key}
                </Link>
              ) : (
                row.key
              )}
            </td>
            <td className="py-0.5 text-right text-stone-500">{row.runs} run(s)</td>
            <td className="py-0.5 text-right">{formatUsage(row)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
