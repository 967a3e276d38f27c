"use client";
import { useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "../lib/trpc.ts";
import { StateBadge } from "./state-badge.tsx";

export type MergeRequestView = {
  id: string;
  branch: string;
  integration: string;
  headSha: string;
  state: string;
  error: string | null;
  comment: string | null;
  mergeSha: string | null;
  testStatus: string | null;
  diffStat: string | null;
  summary: string | null;
};

export function MergeRequestCard({ mr }: { mr: MergeRequestView }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const me = useQuery(trpc.auth.me.queryOptions());
  const [comment, setComment] = useState("");
  const [rejecting, setRejecting] = useState(false);
  const refresh = () => void queryClient.invalidateQueries();
  const approve = useMutation(trpc.merge.approve.mutationOptions({ onSettled: refresh }));
  const reject = useMutation(trpc.merge.reject.mutationOptions({ onSettled: refresh }));
  const canDecide = me.data?.role === "approver" || me.data?.role === "admin";
  const error = approve.error ?? reject.error;

  return (
    <article
      aria-label={`Merge request ${mr.branch}`}
      className="rounded-lg border border-stone-200 p-3 text-sm dark:border-stone-800"
    >
      <div className="flex flex-wrap items-center gap-2">
        <code className="font-mono text-xs">{mr.branch}</code>
        <span className="text-stone-400">→</span>
        <code className="font-mono text-xs">{mr.integration}</code>
        <StateBadge state={mr.state} label={`merge ${mr.state}`} />
      </div>
      <dl className="mt-2 grid grid-cols-[auto_1fr] gap-x-3 gap-y-1 text-xs">
        <dt className="text-stone-500">Head</dt>
        <dd className="font-mono">{mr.headSha.slice(0, 12)}</dd>
        <dt className="text-stone-500">Tests</dt>
        <dd>{mr.testStatus ? <StateBadge state={mr.testStatus} label={`tests ${mr.testStatus}`} /> : "not run"}</dd>
        {mr.summary && (
          <>
            <dt className="text-stone-500">Result</dt>
            <dd>{mr.summary}</dd>
          </>
        )}
        {mr.mergeSha && (
          <>
            <dt className="text-stone-500">Merged as</dt>
            <dd className="font-mono">{mr.mergeSha.slice(0, 12)}</dd>
          </>
        )}
      </dl>
      {mr.diffStat && (
        <pre className="mt-2 max-h-32 overflow-auto rounded bg-stone-100 p-2 text-xs dark:bg-stone-950">{mr.diffStat}</pre>
      )}
      {mr.comment && <p className="mt-2 text-xs italic text-stone-600 dark:text-stone-400">“{mr.comment}”</p>}
      {mr.error && (
        <p role="alert" className="mt-2 text-xs text-red-700 dark:text-red-400">
          {mr.error}
        </p>
      )}
      {error && (
        <p role="alert" className="mt-2 text-xs text-red-700 dark:text-red-400">
          {error.message}
        </p>
      )}
      {mr.state === "open" && canDecide && (
        <div className="mt-3 space-y-2">
          <label className="block text-xs">
            Comment {rejecting ? "(required to reject)" : "(optional)"}
            <textarea
              rows={2}
              value={comment}
              onChange={(e) => setComment(e.target.value)}
              className="mt-1 w-full rounded border border-stone-300 bg-transparent px-2 py-1 dark:border-stone-700"
            />
          </label>
          <div className="flex gap-2">
            <button
              type="button"
              disabled={approve.isPending}
              onClick={() => approve.mutate({ id: mr.id, sha: mr.headSha, comment: comment || undefined })}
              className="flex-1 rounded bg-emerald-700 px-3 py-2 font-medium text-white hover:bg-emerald-800 disabled:opacity-60"
            >
              Approve
            </button>
            <button
              type="button"
              disabled={reject.isPending}
              onClick={() => (rejecting && comment.trim() ? reject.mutate({ id: mr.id, comment }) : setRejecting(true))}
              className="flex-1 rounded border border-red-300 px-3 py-2 font-medium text-red-700 hover:bg-red-50 disabled:opacity-60 dark:border-red-800 dark:text-red-400 dark:hover:bg-red-950"
            >
              {rejecting ? "Confirm reject" : "Reject"}
            </button>
          </div>
        </div>
      )}
    </article>
  );
}

export function summaryOf(resultJson: string | null): string | null {
  if (!resultJson) return null;
  try {
    const parsed: unknown = JSON.parse(resultJson);
    return parsed && typeof parsed === "object" && "summary" in parsed && typeof parsed.summary === "string" ? parsed.summary : null;
  } catch {
    return null;
  }
}
