"use client";
import Link from "next/link";
import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "../../lib/trpc.ts";
import { SessionList } from "../../components/session-list.tsx";
import { PageHeader } from "../../components/ui/feedback.tsx";

export default function SessionsPage() {
  const trpc = useTRPC();
  const me = useQuery(trpc.auth.me.queryOptions());
  return (
    <div className="space-y-4">
      <PageHeader
        title="Sessions"
        actions={
          me.data && me.data.role !== "viewer" ? (
            <Link href="/sessions/new" className="rounded-lg bg-emerald-700 px-3 py-2 text-sm font-medium text-white hover:bg-emerald-800 dark:bg-emerald-600">
              Start a session
            </Link>
          ) : null
        }
      />
      <SessionList title="All sessions" limit={200} />
    </div>
  );
}
