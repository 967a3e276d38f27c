"use client";
import Link from "next/link";
import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "../lib/trpc.ts";
import { Card } from "../components/card.tsx";
import { MergeRequestCard, summaryOf } from "../components/merge-request-card.tsx";
import { RunnersPanel } from "../components/runners-panel.tsx";
import { StartSessionForm } from "../components/start-session-form.tsx";
import { StateBadge } from "../components/state-badge.tsx";

export default function OverviewPage() {
  const trpc = useTRPC();
  const me = useQuery(trpc.auth.me.queryOptions());
  const sessions = useQuery(trpc.session.list.queryOptions());
  const waiting = useQuery(trpc.merge.list.queryOptions({ states: ["open", "approved", "merging"] }));

  return (
    <div className="space-y-4">
      <h1 className="text-2xl font-semibold">Overview</h1>
      <div className="grid gap-4 lg:grid-cols-2">
        <Card title="Approvals waiting">
          {waiting.data?.length === 0 && <p className="text-sm text-stone-500">Nothing waiting.</p>}
          <div className="space-y-3">
            {waiting.data?.map((mr) => (
              <MergeRequestCard
                key={mr.id}
                mr={{ ...mr, testStatus: mr.run.testStatus, diffStat: mr.run.diffStat, summary: summaryOf(mr.run.result) }}
              />
            ))}
          </div>
        </Card>
        <RunnersPanel />
      </div>
      {me.data?.role !== "viewer" && <StartSessionForm />}
      <Card title="Sessions">
        {sessions.data?.length === 0 && <p className="text-sm text-stone-500">No sessions yet.</p>}
        <ul className="divide-y divide-stone-200 dark:divide-stone-800">
          {sessions.data?.map((s) => (
            <li key={s.id} className="py-2">
              <Link href={`/sessions/${s.id}`} className="font-medium text-emerald-700 hover:underline dark:text-emerald-400">
                {s.id}
              </Link>
              <div className="mt-1 flex flex-wrap gap-2">
                {s.runs.map((r) => (
                  <span key={r.id} className="flex items-center gap-1 text-xs">
                    <code>{r.branch}</code> <StateBadge state={r.state} />
                  </span>
                ))}
              </div>
            </li>
          ))}
        </ul>
      </Card>
    </div>
  );
}
