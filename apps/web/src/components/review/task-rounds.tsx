"use client";
import { useState } from "react";
import Link from "next/link";
import { useQuery } from "@tanstack/react-query";
import { useTRPC, type RouterOutputs } from "../../lib/trpc.ts";
import { mergeStateLabel } from "../../lib/wording/merge-wording.ts";
import { Card } from "../card.tsx";
import { DiffView } from "../diff-view.tsx";
import { StateBadge } from "../state-badge.tsx";
import { Button } from "../ui/button.tsx";
import { Empty, ErrorText, Loading } from "../ui/feedback.tsx";

type Round = RouterOutputs["run"]["rounds"][number];

const REASONS: Record<string, string> = {
  "changes-requested": "changes requested",
  "sent-back": "sent back after a failed merge",
  rerun: "re-run",
};

/** The task's rounds, first to last: why each ran, its prompt, the comments on its head, tests, cost, and what it changed. */
export function TaskRounds({ runId }: { runId: string }) {
  const trpc = useTRPC();
  const rounds = useQuery(trpc.run.rounds.queryOptions({ id: runId }));
  if (rounds.isPending) return <Loading />;
  if (rounds.error) return <ErrorText error={rounds.error} />;
  if (rounds.data.length <= 1) return null;
  return (
    <Card title="Rounds">
      <ol aria-label="Rounds of this task" className="space-y-3">
        {rounds.data.map((round) => (
          <RoundItem key={round.id} round={round} isCurrent={round.id === runId} />
        ))}
      </ol>
    </Card>
  );
}

function RoundItem({ round, isCurrent }: { round: Round; isCurrent: boolean }) {
  const request = round.mergeRequests[0];
  return (
    <li aria-label={`Round ${round.round}`} className="rounded-xl border border-stone-200 p-3 text-sm dark:border-stone-800">
      <p className="flex flex-wrap items-center gap-2">
        <Link href={`/runs/${round.id}`} className="font-semibold text-emerald-700 hover:underline dark:text-emerald-400">
          Round {round.round}
        </Link>
        {isCurrent && <span className="text-xs text-stone-500">(this run)</span>}
        <StateBadge state={round.state} />
        {request && <StateBadge state={request.state} label={mergeStateLabel(request.state)} />}
        {round.testStatus && <StateBadge state={round.testStatus} label={`tests ${round.testStatus}`} />}
        {round.costUsd !== null && <span className="text-xs text-stone-500">${round.costUsd.toFixed(2)}</span>}
      </p>
      {round.roundReason && <p className="text-xs text-stone-500">{REASONS[round.roundReason] ?? round.roundReason}</p>}
      <details className="mt-1">
        <summary className="cursor-pointer text-xs text-stone-500">Prompt</summary>
        <p className="mt-1 whitespace-pre-wrap break-words text-xs">{round.prompt}</p>
      </details>
      {round.reviewComments.length > 0 && (
        <ul aria-label={`Comments on round ${round.round}`} className="mt-2 space-y-1">
          {round.reviewComments.map((c) => (
            <li key={c.id} className="rounded-lg bg-stone-50 p-2 text-xs dark:bg-stone-950">
              {c.file && (
                <code className="break-all">
                  {c.file}
                  {c.line ? `:${c.line}` : ""}
                </code>
              )}{" "}
              <span className="whitespace-pre-wrap">{c.body}</span> <span className="text-stone-500">— {c.author}</span>
            </li>
          ))}
        </ul>
      )}
      {round.previousHeadSha && round.headSha && <RoundDiff runId={round.id} round={round.round} />}
    </li>
  );
}

function RoundDiff({ runId, round }: { runId: string; round: number }) {
  const trpc = useTRPC();
  const [isOpen, setOpen] = useState(false);
  const diff = useQuery({ ...trpc.run.roundDiff.queryOptions({ id: runId }), enabled: isOpen });
  return (
    <div className="mt-2">
      <Button size="sm" variant="ghost" aria-expanded={isOpen} onClick={() => setOpen((o) => !o)}>
        {isOpen ? "Hide" : "Show"} the changes since round {round - 1}
      </Button>
      {isOpen && diff.isPending && <Loading />}
      {isOpen && diff.error && <ErrorText error={diff.error} />}
      {isOpen && diff.data?.isEmpty && <Empty>No changes since the previous round.</Empty>}
      {isOpen && diff.data && !diff.data.isEmpty && <DiffView patch={diff.data.patch} isTruncated={diff.data.isTruncated} />}
    </div>
  );
}
