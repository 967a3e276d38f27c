"use client";
import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "../../lib/trpc.ts";
import { ApprovalCard } from "./approval-card.tsx";

/** A request approved on this page that left the list it was in: kept on screen, live, until the page is left. */
export function FollowedApproval({ id, canDecide }: { id: string; canDecide: boolean }) {
  const trpc = useTRPC();
  const approval = useQuery(trpc.approval.byId.queryOptions({ id }));
  return approval.data ? <ApprovalCard approval={approval.data} canDecide={canDecide} /> : null;
}
