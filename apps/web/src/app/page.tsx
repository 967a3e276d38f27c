"use client";
import Link from "next/link";
import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "../lib/trpc.ts";
import { ApprovalsWaiting } from "../components/overview/approvals-waiting.tsx";
import { MergeQueue } from "../components/overview/merge-queue.tsx";
import { RunnersPanel } from "../components/runners-panel.tsx";
import { SessionList } from "../components/session-list.tsx";
import { PageHeader } from "../components/ui/feedback.tsx";

export default function OverviewPage() {
  const trpc = useTRPC();
  const me = useQuery(trpc.auth.me.queryOptions());
  return (
    <div className="space-y-4">
      <PageHeader
        title="Overview"
        description="Live: every change on a runner shows up here without a reload."
        actions={
          me.data && me.data.role !== "viewer" ? (
            <Link href="/sessions/new" className="rounded-lg bg-emerald-700 px-3 py-2 text-sm font-medium text-white hover:bg-emerald-800 dark:bg-emerald-600">
              Start a session
            </Link>
          ) : null
        }
      />
      <div className="grid gap-4 lg:grid-cols-2">
        <ApprovalsWaiting />
        <RunnersPanel />
        <SessionList title="Live sessions" live limit={20} />
        <MergeQueue />
      </div>
      <SessionList title="Recent sessions" limit={15} />
    </div>
  );
}
