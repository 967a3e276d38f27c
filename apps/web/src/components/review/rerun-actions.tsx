"use client";
import { useRouter } from "next/navigation";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { isRerunnableRunState } from "@grove/core/lifecycle-states";
import { useTRPC } from "../../lib/trpc.ts";
import { Button } from "../ui/button.tsx";
import { ErrorText } from "../ui/feedback.tsx";

/** Re-run a round that ended with nothing to review (failed, no changes, needs input, interrupted, cancelled): on the same branch, or fresh from the integration head. */
export function RerunActions({ run }: { run: { id: string; state: string; branch: string } }) {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const rerun = useMutation(
    trpc.run.rerun.mutationOptions({
      onSuccess: (next) => router.push(`/runs/${next.runId}`),
      onSettled: () => void queryClient.invalidateQueries(),
    }),
  );
  if (!isRerunnableRunState(run.state)) return null;
  return (
    <div className="mt-3 space-y-2">
      <ErrorText error={rerun.error} />
      <div className="grid grid-cols-2 gap-2">
        <Button
          variant="primary"
          disabled={rerun.isPending}
          aria-label={`Re-run ${run.branch} on the same branch`}
          onClick={() => rerun.mutate({ id: run.id, start: "continue" })}
        >
          Re-run (same branch)
        </Button>
        <Button
          disabled={rerun.isPending}
          aria-label={`Re-run ${run.branch} fresh from the integration head`}
          onClick={() => rerun.mutate({ id: run.id, start: "fresh" })}
        >
          Re-run fresh
        </Button>
      </div>
      <p className="text-xs text-stone-500">
        Fresh keeps the old branch as a snapshot and starts again from the integration head.
      </p>
    </div>
  );
}
