"use client";
import { useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "../../lib/trpc.ts";
import { Button } from "../ui/button.tsx";
import { ErrorText, Loading } from "../ui/feedback.tsx";
import { RequestChangesForm } from "./request-changes-form.tsx";

type Request = { id: string; state: string; headSha: string; branch: string };

/**
 * Review rounds on a merge request, for approvers: "Request changes" while it waits (open or blocked), and a
 * failed merge's two ways on — send it back to its agent, or retry it on the integration branch as it is now.
 */
export function ReviewActions({ request }: { request: Request }) {
  if (request.state === "open" || request.state === "blocked") return <RequestChangesToggle request={request} />;
  if (request.state === "failed") return <FailedMergeActions request={request} />;
  return null;
}

function RequestChangesToggle({ request }: { request: Request }) {
  const trpc = useTRPC();
  const [isOpen, setOpen] = useState(false);
  const detail = useQuery({ ...trpc.approval.byId.queryOptions({ id: request.id }), enabled: isOpen });
  if (!isOpen)
    return (
      <Button className="mt-2 w-full" aria-label={`Request changes on ${request.branch}`} onClick={() => setOpen(true)}>
        Request changes
      </Button>
    );
  if (detail.isPending) return <Loading />;
  return (
    <div className="mt-2">
      <RequestChangesForm
        mergeRequestId={request.id}
        headSha={request.headSha}
        branch={request.branch}
        diff={detail.data?.diff ? { patch: detail.data.diff, isTruncated: detail.data.diffTruncated } : null}
        onClose={() => setOpen(false)}
      />
    </div>
  );
}

function FailedMergeActions({ request }: { request: Request }) {
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
