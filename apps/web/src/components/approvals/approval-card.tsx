"use client";
import { useState } from "react";
import Link from "next/link";
import type { RouterOutputs } from "../../lib/trpc.ts";
import { StateBadge } from "../state-badge.tsx";
import { RelativeTime } from "../ui/time.tsx";
import { RefusedActions } from "../agent-view/refused-actions.tsx";
import { ApprovalDiff } from "./approval-diff.tsx";
import { FailedMergeActions, RequestChangesButton, RequestChangesPanel } from "../review/review-actions.tsx";
import { ApprovalStatus } from "./approval-status.tsx";
import { DecisionBar } from "./decision-bar.tsx";
import { VerdictList } from "./verdict-list.tsx";
import { mergeStateLabel } from "../../lib/wording/merge-wording.ts";

type Approval = RouterOutputs["approval"]["list"][number];

/** One merge request, sized to fit a phone screen with its verdict inputs, the decisions, and where it stands. */
export function ApprovalCard({
  approval: a,
  canDecide,
  onApproved,
}: {
  approval: Approval;
  canDecide: boolean;
  /** The page keeps showing a card it approved, through "merging…" to "landed" or why not. */
  onApproved?: (id: string) => void;
}) {
  const [isRequesting, setRequesting] = useState(false);
  const canRequestChanges = canDecide && (a.state === "open" || a.state === "blocked");
  return (
    <article
      id={a.id}
      aria-label={`Merge request ${a.branch}`}
      className="min-w-0 snap-start scroll-mt-28 rounded-2xl [overflow-wrap:anywhere] border border-stone-200 bg-white p-4 shadow-sm dark:border-stone-800 dark:bg-stone-900"
    >
      <header className="mb-2 flex flex-wrap items-center gap-2">
        <code className="min-w-0 break-all text-sm font-semibold">{a.branch}</code>
        <span className="text-stone-400">→</span>
        <code className="text-sm">{a.integration}</code>
        <StateBadge state={a.state} label={mergeStateLabel(a.state)} />
        {a.stage && <StateBadge state="merging" label={`queue: ${a.stage}`} />}
      </header>
      <p className="mb-1 text-xs text-stone-500">
        {a.run.agent}
        {a.run.round > 1 ? ` · round ${a.run.round}` : ""} ·{" "}
        <Link href={`/runs/${a.run.id}`} className="text-emerald-700 hover:underline dark:text-emerald-400">
          run details
        </Link>{" "}
        · opened <RelativeTime date={a.createdAt} /> · head <code>{a.headSha.slice(0, 10)}</code>
      </p>
      {a.summary && <p className="mb-3 line-clamp-3 text-sm [overflow-wrap:anywhere]">{a.summary}</p>}
      <RefusedActions count={a.run.refusedActions} />
      <div className="mb-2 rounded-xl bg-stone-50 p-3 dark:bg-stone-950">
        <VerdictList verdict={a.verdict} state={a.state} />
      </div>
      <div className="mb-2">
        <ApprovalDiff
          id={a.id}
          actions={
            canRequestChanges && !isRequesting ? (
              <RequestChangesButton branch={a.branch} onClick={() => setRequesting(true)} />
            ) : null
          }
        />
      </div>
      {canRequestChanges && isRequesting && <RequestChangesPanel request={a} onClose={() => setRequesting(false)} />}
      {/* An approved request's note says what it waits for (ApprovalStatus); it is no failure. */}
      {a.error && a.state !== "approved" && (
        <p role="alert" className="mb-2 text-sm text-red-700 dark:text-red-400">
          {a.error}
        </p>
      )}
      {(a.state === "open" || a.state === "blocked") && canDecide && (
        <DecisionBar id={a.id} headSha={a.headSha} branch={a.branch} canApprove={a.state === "open"} onApproved={onApproved} />
      )}
      {canDecide && a.state === "failed" && !a.snapshotRef && <FailedMergeActions request={a} />}
      {a.state === "open" && !canDecide && (
        <p className="text-sm text-stone-500">You can review this; approving or rejecting needs the approver role.</p>
      )}
      {a.state !== "open" && <ApprovalStatus approval={a} canDecide={canDecide} />}
    </article>
  );
}
