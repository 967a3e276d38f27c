"use client";
import { useState } from "react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "../../lib/trpc.ts";
import { Button } from "../ui/button.tsx";
import { INPUT_CLASS } from "../ui/field.tsx";
import { ErrorText } from "../ui/feedback.tsx";

const QUICK_REASONS = ["Tests are not enough", "Conflicts with other work", "Not what was asked", "Needs a smaller change"];

/**
 * Approve is one tap (pinned to the head SHA on screen). Reject is two: "Reject", then a reason —
 * a quick one sends at once, or type your own.
 */
export function DecisionBar({
  id,
  headSha,
  branch,
  canApprove = true,
  onApproved,
}: {
  id: string;
  headSha: string;
  branch: string;
  /** false for a blocked request: it can only be rejected. */
  canApprove?: boolean;
  onApproved?: (id: string) => void;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [isRejecting, setRejecting] = useState(false);
  const [comment, setComment] = useState("");
  const refresh = () => void queryClient.invalidateQueries();
  const approve = useMutation(trpc.approval.approve.mutationOptions({ onSettled: refresh, onSuccess: () => onApproved?.(id) }));
  const reject = useMutation(trpc.approval.reject.mutationOptions({ onSettled: refresh }));
  const isBusy = approve.isPending || reject.isPending;

  return (
    <div className="space-y-2">
      <ErrorText error={approve.error ?? reject.error} />
      {!isRejecting ? (
        <div className={`grid gap-2 ${canApprove ? "grid-cols-2" : "grid-cols-1"}`}>
          {canApprove && (
            <Button
              variant="primary"
              size="lg"
              disabled={isBusy}
              aria-label={`Approve ${branch}`}
              onClick={() => approve.mutate({ id, sha: headSha })}
            >
              {approve.isPending ? "Approving…" : "Approve"}
            </Button>
          )}
          <Button variant="danger" size="lg" disabled={isBusy} aria-label={`Reject ${branch}`} onClick={() => setRejecting(true)}>
            Reject
          </Button>
        </div>
      ) : (
        <div role="group" aria-label={`Reason to reject ${branch}`} className="space-y-2">
          <div className="flex flex-wrap gap-1.5">
            {QUICK_REASONS.map((reason) => (
              <Button
                key={reason}
                size="sm"
                variant="danger"
                disabled={isBusy}
                onClick={() => reject.mutate({ id, comment: reason })}
              >
                {reason}
              </Button>
            ))}
          </div>
          <form
            className="flex gap-2"
            onSubmit={(e) => {
              e.preventDefault();
              if (comment.trim()) reject.mutate({ id, comment });
            }}
          >
            <input
              aria-label="Rejection comment"
              placeholder="Or say why…"
              value={comment}
              onChange={(e) => setComment(e.target.value)}
              className={`${INPUT_CLASS} mt-0 min-w-0 flex-1`}
            />
            <Button type="submit" variant="danger" disabled={isBusy || !comment.trim()}>
              Send
            </Button>
          </form>
          <Button size="sm" variant="ghost" onClick={() => setRejecting(false)}>
            Back
          </Button>
        </div>
      )}
    </div>
  );
}
