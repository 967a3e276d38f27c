"use client";
import { useState } from "react";
import Link from "next/link";
import type { RouterOutputs } from "../../lib/trpc.ts";
import { StateBadge } from "../state-badge.tsx";
import { RelativeTime } from "../ui/time.tsx";
import { RefusedActions } from "../agent-view/refused-actions.tsx";
import { ApprovalDiff } from "./approval-diff.tsx";
import { FailedMergeActions, RequestChangesButton, RequestChangesPanel } from "../review/review-actions.tsx";
import { DecisionBar } from "./decision-bar.tsx";
import { VerdictList } from "./verdict-list.tsx";
import { decisionSummary, mergeStateLabel } from "../../lib/wording/merge-wording.ts";

type Approval = RouterOutputs["approval"]["list"][number];

/** One merge request, sized to fit a phone screen with its verdict inputs and the two decisions. */
export function ApprovalCard({ approval: a, canDecide }: { approval: Approval; canDecide: boolean }) {
  const [isRequesting, setRequesting] = useState(false);
  const canRequestChanges = canDecide && (a.state === "open" || a.state === "blocked");
  return (
    <article
      id={a.id}
      aria-label={`Merge request ${a.branch}`}
      className="snap-start scroll-mt-28 rounded-2xl border border-stone-200 bg-white p-4 shadow-sm dark:border-stone-800 dark:bg-stone-900"
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
      {a.summary && <p className="mb-3 line-clamp-3 text-sm">{a.summary}</p>}
      <RefusedActions count={a.run.refusedActions} />
      <div className="mb-2 rounded-xl bg-stone-50 p-3 dark:bg-stone-950">
        <VerdictList verdict={a.verdict} />
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
      {a.error && (
        <p role="alert" className="mb-2 text-sm text-red-700 dark:text-red-400">
          {a.error}
        </p>
      )}
      {a.state === "open" && canDecide && <DecisionBar id={a.id} headSha={a.headSha} branch={a.branch} />}
      {canDecide && a.state === "failed" && <FailedMergeActions request={a} />}
      {a.state === "open" && !canDecide && (
        <p className="text-sm text-stone-500">You can review this; approving or rejecting needs the approver role.</p>
      )}
      {a.state !== "open" && (
        <p className="text-sm text-stone-600 dark:text-stone-400">
          {decisionSummary(a)} <RelativeTime date={a.decidedAt} />
          {a.comment ? <> — “{a.comment}”</> : null}
          {a.mergeSha ? (
            <>
              {" "}
              · merged as <code>{a.mergeSha.slice(0, 10)}</code>
            </>
          ) : null}
        </p>
      )}
    </article>
  );
}
