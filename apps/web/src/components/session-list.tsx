"use client";
import Link from "next/link";
import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "../lib/trpc.ts";
import { Card } from "./card.tsx";
import { OutcomeBadge } from "./outcome-badge.tsx";
import { Empty } from "./ui/feedback.tsx";
import { RelativeTime } from "./ui/time.tsx";

/** Sessions with each task's branch and real outcome (landed, waiting, merge conflict…); `live` keeps only sessions with a run still going. */
export function SessionList({ title, live = false, limit = 50 }: { title: string; live?: boolean; limit?: number }) {
  const trpc = useTRPC();
  const sessions = useQuery(trpc.session.list.queryOptions({ live, limit }));
  return (
    <Card title={title}>
      {sessions.data?.length === 0 && <Empty>{live ? "No agent is running." : "No sessions yet."}</Empty>}
      <ul className="divide-y divide-stone-200 dark:divide-stone-800">
        {sessions.data?.map((s) => (
          <li key={s.id} className="py-2">
            <div className="flex flex-wrap items-baseline gap-2">
              <Link href={`/sessions/${s.id}`} className="font-medium text-emerald-700 hover:underline dark:text-emerald-400">
                {s.id}
              </Link>
              <span className="text-xs text-stone-500">
                on {s.runner.name} · <RelativeTime date={s.createdAt} />
              </span>
            </div>
            <div className="mt-1 flex flex-wrap gap-x-3 gap-y-1">
              {s.runs.map((r) => (
                <Link key={r.id} href={`/runs/${r.id}`} className="flex min-w-0 items-center gap-1 text-xs hover:underline">
                  <code className="truncate">{r.branch}</code> <OutcomeBadge outcome={r.outcome} />
                  {r.waiting && <span className="truncate text-amber-800 dark:text-amber-300">{r.waiting}</span>}
                </Link>
              ))}
            </div>
          </li>
        ))}
      </ul>
    </Card>
  );
}
