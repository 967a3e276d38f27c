"use client";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "../../lib/trpc.ts";
import { Button } from "../ui/button.tsx";
import { ErrorText } from "../ui/feedback.tsx";

/** One tap for an approver: the runner that owns the queue moves the request ahead of the others waiting. */
export function PutFirstButton({ mergeRequestId, branch }: { mergeRequestId: string; branch: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const putFirst = useMutation(
    trpc.queue.putFirst.mutationOptions({
      onSettled: () => void queryClient.invalidateQueries({ queryKey: trpc.queue.list.queryKey() }),
    }),
  );
  return (
    <div className="min-w-0 space-y-1">
      <Button
        size="sm"
        disabled={putFirst.isPending}
        aria-label={`Put ${branch} first`}
        onClick={() => putFirst.mutate({ mergeRequestId })}
      >
        {putFirst.isPending ? "Putting first…" : "Put first"}
      </Button>
      <ErrorText error={putFirst.error} />
    </div>
  );
}
