"use client";
import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "../../lib/trpc.ts";
import { RunnersAdmin } from "../../components/admin/runners-admin.tsx";
import { UsersAdmin } from "../../components/admin/users-admin.tsx";
import { Empty, PageHeader } from "../../components/ui/feedback.tsx";

export default function AdminPage() {
  const trpc = useTRPC();
  const me = useQuery(trpc.auth.me.queryOptions());
  if (me.data && me.data.role !== "admin") return <Empty>This page is for admins.</Empty>;
  return (
    <div className="space-y-4">
      <PageHeader title="Admin" description="People and their roles; runners and their tokens." />
      <div className="grid gap-4 xl:grid-cols-2">
        <UsersAdmin />
        <RunnersAdmin />
      </div>
    </div>
  );
}
