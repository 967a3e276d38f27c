"use client";
import { useEffect, useState } from "react";
import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "../../lib/trpc.ts";
import { ApprovalCard } from "../../components/approvals/approval-card.tsx";
import { FollowedApproval } from "../../components/approvals/followed-approval.tsx";
import { Button } from "../../components/ui/button.tsx";
import { Empty, Loading, PageHeader } from "../../components/ui/feedback.tsx";
import { MergeQueueBoard } from "../../components/queue/merge-queue-board.tsx";
import { useHashParam } from "../../lib/use-hash-param.ts";

type Filter = "waiting" | "queue" | "decided";
const FILTER_LABELS: Record<Filter, string> = { waiting: "Waiting", queue: "Queue", decided: "Decided" };

/** The approvals inbox: phone-first, one request per screen, decisions in one or two taps. */
export default function ApprovalsPage() {
  const trpc = useTRPC();
  const me = useQuery(trpc.auth.me.queryOptions());
  const [filter, setFilter] = useState<Filter>("waiting");
  // `/approvals#show=queue` opens the merge queue (linked from the overview).
  const shown = useHashParam("show");
  useEffect(() => {
    if (shown === "queue") setFilter("queue");
  }, [shown]);
  const listFilter = filter === "queue" ? "waiting" : filter;
  const approvals = useQuery(trpc.approval.list.queryOptions({ filter: listFilter }));
  const canDecide = me.data?.role === "approver" || me.data?.role === "admin";
  // Approved here: followed on this page through "merging…" to "landed" or why not, instead of vanishing.
  const [followed, setFollowed] = useState<string[]>([]);
  const follow = (id: string) => setFollowed((ids) => (ids.includes(id) ? ids : [...ids, id]));
  const listed = new Set(approvals.data?.map((a) => a.id));

  return (
    <div className="space-y-4">
      <PageHeader
        title="Approvals"
        actions={
          <div role="group" aria-label="Show" className="flex gap-1">
            {(["waiting", "queue", "decided"] as const).map((f) => (
              <Button
                key={f}
                size="sm"
                variant={filter === f ? "primary" : "secondary"}
                aria-pressed={filter === f}
                onClick={() => setFilter(f)}
              >
                {FILTER_LABELS[f]}
              </Button>
            ))}
          </div>
        }
      />
      {filter === "queue" && <MergeQueueBoard canPrioritize={canDecide} />}
      {filter !== "queue" && approvals.isPending && <Loading />}
      {filter !== "queue" && approvals.data?.length === 0 && followed.length === 0 && (
        <Empty>{filter === "waiting" ? "Nothing is waiting for approval." : "No decisions yet."}</Empty>
      )}
      <div className={`grid snap-y gap-4 lg:grid-cols-2 ${filter === "queue" ? "hidden" : ""}`}>
        {approvals.data?.map((a) => (
          <ApprovalCard key={a.id} approval={a} canDecide={canDecide} onApproved={follow} />
        ))}
        {approvals.data &&
          followed.filter((id) => !listed.has(id)).map((id) => <FollowedApproval key={id} id={id} canDecide={canDecide} />)}
      </div>
    </div>
  );
}
