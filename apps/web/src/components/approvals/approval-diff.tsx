"use client";
import { useState, type ReactNode } from "react";
import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "../../lib/trpc.ts";
import { DiffView } from "../diff-view.tsx";
import { Button } from "../ui/button.tsx";
import { Empty, Loading } from "../ui/feedback.tsx";

/** The branch's diff as the merge gate captured it, fetched only when asked for. */
export function ApprovalDiff({ id, actions }: { id: string; actions?: ReactNode }) {
  const trpc = useTRPC();
  const [isOpen, setOpen] = useState(false);
  const detail = useQuery({ ...trpc.approval.byId.queryOptions({ id }), enabled: isOpen });
  return (
    <div>
      <div className="flex flex-wrap items-center gap-2">
        <Button size="sm" variant="ghost" aria-expanded={isOpen} onClick={() => setOpen((o) => !o)}>
          {isOpen ? "Hide diff" : "Show diff"}
        </Button>
        {actions}
      </div>
      {isOpen && (
        <div className="mt-2">
          {detail.isPending && <Loading />}
          {detail.data && !detail.data.diff && <Empty>The diff has not been captured yet; open the run for it.</Empty>}
          {detail.data?.diff && <DiffView patch={detail.data.diff} isTruncated={detail.data.diffTruncated} />}
        </div>
      )}
    </div>
  );
}
