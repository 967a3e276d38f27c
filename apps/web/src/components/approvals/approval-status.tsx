"use client";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import type { RouterOutputs } from "../../lib/trpc.ts";
import { useTRPC } from "../../lib/trpc.ts";
import { decisionSummary } from "../../lib/wording/merge-wording.ts";
import { Button } from "../ui/button.tsx";
import { ErrorText } from "../ui/feedback.tsx";
import { RelativeTime } from "../ui/time.tsx";

type Approval = RouterOutputs["approval"]["list"][number];

/**
 * Where a decided (or blocked) request stands, in words, with its next step: a blocked request says why,
 * a merge in the queue says "merging…" and its stage (undo while it still waits), or what it waits for (the merge
 * queue's owner, unreachable when it was approved), a landed one its merge
 * commit, a failed one why, with Abandon.
 */
export function ApprovalStatus({ approval: a, canDecide }: { approval: Approval; canDecide: boolean }) {
  const by = a.decidedBy ? <> by {a.decidedBy}</> : null;
  const when = a.decidedAt ? <RelativeTime date={a.decidedAt} /> : null;
  const comment = a.comment ? <> — “{a.comment}”</> : null;
  switch (a.state) {
    case "blocked":
      return (
        <p className="text-sm text-stone-600 dark:text-stone-400">
          Blocked by the brain policy, so it cannot be approved: {a.blockedReason ?? "this branch writes into the brain folder."}{" "}
          {canDecide ? "Reject it (the branch is kept)." : "An approver can reject it (the branch is kept)."}
        </p>
      );
    case "approved":
    case "merging":
      return (
        <div role="status" className="space-y-2 text-sm">
          <p className="font-medium text-sky-800 dark:text-sky-300">
            {a.state === "approved" && a.error && !a.stage
              ? a.error
              : `Merging… ${a.stage ? `(${a.stage})` : "(sent to the runner)"}`}
          </p>
          <p className="text-stone-600 dark:text-stone-400">
            Approved{by} {when}
            {comment}
          </p>
          {canDecide && (a.stage === null || ["queued", "building", "testing"].includes(a.stage)) && (
            <UndoApproval id={a.id} branch={a.branch} />
          )}
        </div>
      );
    case "merged":
      return (
        <p role="status" className="text-sm text-emerald-800 dark:text-emerald-300">
          Landed
          {a.mergeSha ? (
            <>
              {" "}
              as <code>{a.mergeSha.slice(0, 10)}</code>
            </>
          ) : null}{" "}
          · approved{by} {when}
          {comment}
        </p>
      );
    case "failed":
      return (
        <div className="space-y-2 text-sm">
          <p className="text-stone-600 dark:text-stone-400">
            {decisionSummary(a)} (see above); {a.integration} did not move. {when}
          </p>
          {a.snapshotRef ? (
            <p>
              Abandoned: its work is kept as <code className="break-all">{a.snapshotRef}</code> (grove archive restore).
            </p>
          ) : (
            canDecide && <AbandonRequest id={a.id} branch={a.branch} />
          )}
        </div>
      );
    case "void":
      return <p className="text-sm text-stone-600 dark:text-stone-400">{decisionSummary(a)}. Run the task again.</p>;
    default:
      return (
        <p className="text-sm text-stone-600 dark:text-stone-400">
          {decisionSummary(a)} {when}
          {comment}
        </p>
      );
  }
}

function UndoApproval({ id, branch }: { id: string; branch: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const undo = useMutation(trpc.approval.undoApproval.mutationOptions({ onSettled: () => void queryClient.invalidateQueries() }));
  return (
    <div>
      <ErrorText error={undo.error} />
      <Button
        size="sm"
        variant="secondary"
        aria-label={`Undo approval of ${branch}`}
        disabled={undo.isPending}
        onClick={() => undo.mutate({ id })}
      >
        {undo.isPending ? "Undoing…" : "Undo approval"}
      </Button>
    </div>
  );
}

function AbandonRequest({ id, branch }: { id: string; branch: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const abandon = useMutation(trpc.approval.abandon.mutationOptions({ onSettled: () => void queryClient.invalidateQueries() }));
  return (
    <div>
      <ErrorText error={abandon.error} />
      <Button
        size="sm"
        variant="danger"
        aria-label={`Abandon ${branch}`}
        disabled={abandon.isPending}
        onClick={() => abandon.mutate({ id })}
      >
        {abandon.isPending ? "Abandoning…" : "Abandon (keep a snapshot, clean up)"}
      </Button>
    </div>
  );
}
