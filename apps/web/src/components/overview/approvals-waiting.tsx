"use client";

import { describeTestStatus } from "@grove/core/labels";
import Link from "next/link";
import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "../../lib/trpc.ts";
import { Card } from "../card.tsx";
import { StateBadge } from "../state-badge.tsx";
import { Empty } from "../ui/feedback.tsx";
import { RelativeTime } from "../ui/time.tsx";

export function ApprovalsWaiting() {
  const trpc = useTRPC();
  const waiting = useQuery(trpc.approval.list.queryOptions({ filter: "waiting" }));
  return (
    <Card
      title="Approvals waiting"
      actions={
        <Link href="/approvals" className="text-sm text-emerald-700 hover:underline dark:text-emerald-400">
          Open inbox
        </Link>
      }
    >
      {waiting.data?.length === 0 && <Empty>Nothing waiting.</Empty>}
      <ul className="divide-y divide-stone-200 dark:divide-stone-800">
        {waiting.data?.map((a) => (
          <li key={a.id} className="flex flex-wrap items-center gap-2 py-2 text-sm">
            <Link
              href={`/approvals#${a.id}`}
              className="min-w-0 truncate font-mono text-xs text-emerald-700 hover:underline dark:text-emerald-400"
            >
              {a.branch}
            </Link>
            <StateBadge state={a.verdict.tests.status ?? "skipped"} label={describeTestStatus(a.verdict.tests.status)} />
            <span className="ml-auto text-xs text-stone-500">
              <RelativeTime date={a.createdAt} />
            </span>
          </li>
        ))}
      </ul>
    </Card>
  );
}
