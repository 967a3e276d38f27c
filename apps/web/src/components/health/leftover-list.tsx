"use client";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import type { LeftoverWork } from "@grove/core";
import { useTRPC } from "../../lib/trpc.ts";
import { Button } from "../ui/button.tsx";
import { ErrorText } from "../ui/feedback.tsx";
import { RelativeTime } from "../ui/time.tsx";

type Props = { runnerId: string; repoPath: string; leftovers: LeftoverWork[]; isAdmin: boolean };

/**
 * Ended runs' worktrees and branches that never landed. An admin cleans them up, one or all listed, after
 * confirming: the runner keeps each under refs/grove/archive/ first (`grove archive restore` brings it back).
 */
export function LeftoverList({ runnerId, repoPath, leftovers, isAdmin }: Props) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [confirming, setConfirming] = useState<string[] | null>(null);
  const cleanup = useMutation(
    trpc.health.cleanup.mutationOptions({
      onSettled: () => void queryClient.invalidateQueries({ queryKey: trpc.health.list.queryKey() }),
      onSuccess: () => setConfirming(null),
    }),
  );
  if (leftovers.length === 0 && !cleanup.data) return null;
  const ask = (branches: string[]) => setConfirming(branches);

  return (
    <section aria-label="Leftovers of ended runs" className="mt-4 space-y-2">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h3 className="text-sm font-semibold">Ended runs that never landed ({leftovers.length})</h3>
        {isAdmin && leftovers.length > 1 && (
          <Button size="sm" variant="danger" onClick={() => ask(leftovers.map((l) => l.branch))}>
            Clean up all {leftovers.length} listed
          </Button>
        )}
      </div>
      {confirming && (
        <div
          role="alertdialog"
          aria-label="Confirm clean up"
          className="rounded-lg border border-amber-300 p-2 text-sm dark:border-amber-800"
        >
          <p>
            Keep {confirming.length === 1 ? confirming[0] : `${confirming.length} branches`} under refs/grove/archive/, then
            remove the worktree and branch?
          </p>
          <div className="mt-2 flex gap-2">
            <Button
              size="sm"
              variant="danger"
              disabled={cleanup.isPending}
              onClick={() => cleanup.mutate({ runnerId, repoPath, branches: confirming })}
            >
              {cleanup.isPending ? "Cleaning up…" : "Snapshot and clean up"}
            </Button>
            <Button size="sm" variant="ghost" onClick={() => setConfirming(null)}>
              Keep
            </Button>
          </div>
        </div>
      )}
      <ErrorText error={cleanup.error} />
      {cleanup.data && <CleanupOutcome answer={cleanup.data} />}
      <ul className="divide-y divide-stone-200 text-sm dark:divide-stone-800">
        {leftovers.map((l) => (
          <li key={l.branch} className="flex flex-wrap items-start justify-between gap-2 py-2">
            <div className="min-w-0">
              <code className="break-all font-medium">{l.branch}</code>
              <p className="text-xs text-stone-500">
                last active <RelativeTime date={l.lastActivityAt} /> · {l.unmergedCommits} commit(s) not landed ·{" "}
                {l.uncommittedFiles > 0 ? `${l.uncommittedFiles} file(s) uncommitted` : "nothing uncommitted"}
              </p>
              <p className="text-xs text-stone-500">
                last commit <code>{l.lastCommit.sha.slice(0, 12)}</code> {l.lastCommit.subject} ·{" "}
                <RelativeTime date={l.lastCommit.at} />
              </p>
              <p className="break-all text-xs text-stone-500">{l.path ?? "no worktree (the branch only)"}</p>
            </div>
            {isAdmin && (
              <Button size="sm" variant="danger" aria-label={`Clean up ${l.branch}`} onClick={() => ask([l.branch])}>
                Clean up
              </Button>
            )}
          </li>
        ))}
      </ul>
      {!isAdmin && leftovers.length > 0 && (
        <p className="text-xs text-stone-500">
          An admin can clean these up from here (each is kept under refs/grove/archive/ first).
        </p>
      )}
    </section>
  );
}

function CleanupOutcome({
  answer,
}: {
  answer: { cleaned: { branch: string; snapshotRef: string }[]; refused: { branch: string; reason: string }[] };
}) {
  return (
    <ul role="status" className="space-y-1 text-xs">
      {answer.cleaned.map((c) => (
        <li key={c.branch} className="text-emerald-700 dark:text-emerald-400">
          Cleaned up {c.branch}; kept as <code className="break-all">{c.snapshotRef}</code>
        </li>
      ))}
      {answer.refused.map((r) => (
        <li key={r.branch} className="text-red-700 dark:text-red-400">
          Left {r.branch}: {r.reason}
        </li>
      ))}
    </ul>
  );
}
