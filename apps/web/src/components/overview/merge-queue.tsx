"use client";
import Link from "next/link";
import { useQuery } from "@tanstack/react-query";
import { isTerminalMergeRequestState } from "@grove/core/lifecycle-states";
import { useTRPC } from "../../lib/trpc.ts";
import { Card } from "../card.tsx";
import { StateBadge } from "../state-badge.tsx";
import { Empty } from "../ui/feedback.tsx";
import { RelativeTime } from "../ui/time.tsx";
import { mergeStateLabel } from "../../lib/wording/merge-wording.ts";

/** Approved merges the runners are working through, then the latest outcomes. */
export function MergeQueue() {
  const trpc = useTRPC();
  const queue = useQuery(trpc.approval.list.queryOptions({ filter: "queue" }));
  const recent = useQuery(trpc.approval.list.queryOptions({ filter: "decided" }));
  const done = (recent.data ?? []).filter((a) => isTerminalMergeRequestState(a.state)).slice(0, 5);
  return (
    <Card title="Merge queue">
      {queue.data?.length === 0 && <Empty>No merge in progress.</Empty>}
      {queue.data && queue.data.length > 0 && (
        <p className="mb-2 text-xs">
          <Link href="/approvals#show=queue" className="text-emerald-700 hover:underline dark:text-emerald-400">
            The live queue: test slots, candidates, ETAs
          </Link>
        </p>
      )}
      <ol className="space-y-2">
        {queue.data?.map((a, index) => (
          <li key={a.id} className="flex flex-wrap items-center gap-2 text-sm">
            <span className="w-5 text-right text-xs text-stone-500">{index + 1}.</span>
            <code className="min-w-0 truncate text-xs">{a.branch}</code>
            <StateBadge state={a.state} label={mergeStateLabel(a.state)} />
          </li>
        ))}
      </ol>
      {done.length > 0 && (
        <>
          <h3 className="mb-1 mt-4 text-xs font-semibold uppercase tracking-wide text-stone-500">Recently decided</h3>
          <ul className="space-y-1">
            {done.map((a) => (
              <li key={a.id} className="flex flex-wrap items-center gap-2 text-xs">
                <Link
                  href={`/runs/${a.run.id}`}
                  className="min-w-0 truncate font-mono text-emerald-700 hover:underline dark:text-emerald-400"
                >
                  {a.branch}
                </Link>
                <StateBadge state={a.state} label={mergeStateLabel(a.state)} />
                <span className="ml-auto text-stone-500">
                  {a.decidedBy ?? ""} <RelativeTime date={a.decidedAt} />
                </span>
              </li>
            ))}
          </ul>
        </>
      )}
    </Card>
  );
}
