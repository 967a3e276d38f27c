"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "../../lib/trpc.ts";
import { Button } from "../ui/button.tsx";
import { ErrorText, Loading } from "../ui/feedback.tsx";
import { RequestChangesForm } from "./request-changes-form.tsx";

type Request = { id: string; state: string; headSha: string; branch: string };

/** "Request changes" next to the diff toggle: a small button, so the card still fits a phone screen. */
export function RequestChangesButton({ branch, onClick }: { branch: string; onClick: () => void }) {
  return (
    <Button size="sm" aria-label={`Request changes on ${branch}`} onClick={onClick}>
      Request changes
    </Button>
  );
}

/** The request-changes form of a waiting request, with its captured diff to comment on. */
export function RequestChangesPanel({ request, onClose }: { request: Request; onClose: () => void }) {
  const trpc = useTRPC();
  const detail = useQuery(trpc.approval.byId.queryOptions({ id: request.id }));
  if (detail.isPending) return <Loading />;
  return (
    <div className="mb-2">
      <RequestChangesForm
        mergeRequestId={request.id}
        headSha={request.headSha}
        branch={request.branch}
        diff={detail.data?.diff ? { patch: detail.data.diff, isTruncated: detail.data.diffTruncated } : null}
        onClose={onClose}
      />
    </div>
  );
}

/** A failed merge's two ways on, for approvers: send it back to its agent, or retry it on the integration branch as it is now. */
export function FailedMergeActions({ request }: { request: Request }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const refresh = () => void queryClient.invalidateQueries();
  const sendBack = useMutation(trpc.approval.sendBack.mutationOptions({ onSettled: refresh }));
  const retry = useMutation(trpc.approval.retry.mutationOptions({ onSettled: refresh }));
  const isBusy = sendBack.isPending || retry.isPending;
  return (
    <div className="mt-2 space-y-2">
      <ErrorText error={sendBack.error ?? retry.error} />
      <div className="grid grid-cols-2 gap-2">
        <Button
          variant="primary"
          disabled={isBusy}
          aria-label={`Send ${request.branch} back to its agent`}
          onClick={() => sendBack.mutate({ mergeRequestId: request.id })}
        >
          {sendBack.isPending ? "Sending back…" : "Send back"}
        </Button>
        <Button
          disabled={isBusy}
          aria-label={`Retry the merge of ${request.branch}`}
          onClick={() => retry.mutate({ mergeRequestId: request.id })}
        >
          {retry.isPending ? "Retrying…" : "Retry merge"}
        </Button>
      </div>
      <p className="text-xs text-stone-500">
        Send back: the agent brings in the integration branch and fixes it in a new round. Retry: merge the same approved head
        again onto the integration branch as it is now.
      </p>
    </div>
  );
}
