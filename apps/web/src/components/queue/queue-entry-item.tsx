"use client";
import Link from "next/link";
import { putFirstRefusal } from "@grove/core";
import type { RouterOutputs } from "../../lib/trpc.ts";
import { candidateBase, etaText, queueEntryStateLabel, shortSha, waitingReason } from "../../lib/wording/queue-wording.ts";
import { formatDuration } from "../ui/time.tsx";
import { PutFirstButton } from "./put-first-button.tsx";

type Queue = RouterOutputs["queue"]["list"][number];
type Entry = Queue["entries"][number];

const STATE_TONES: Record<Entry["state"], string> = {
  waiting: "bg-stone-200 text-stone-700 dark:bg-stone-800 dark:text-stone-300",
  testing: "bg-violet-100 text-violet-800 dark:bg-violet-950 dark:text-violet-300",
  passed: "bg-emerald-100 text-emerald-800 dark:bg-emerald-950 dark:text-emerald-300",
  landing: "bg-sky-100 text-sky-800 dark:bg-sky-950 dark:text-sky-300",
};

/** One request in a queue: its slot and candidate while tested, why it waits otherwise, and when it should land. */
export function QueueEntryItem({
  entry,
  queue,
  now,
  canPrioritize,
}: {
  entry: Entry;
  queue: Queue;
  now: number;
  canPrioritize: boolean;
}) {
  const base = candidateBase(entry, queue);
  const reason = waitingReason(entry, queue.parallel);
  return (
    <li
      aria-label={`${entry.position + 1}. ${entry.branch}`}
      className="min-w-0 rounded-xl border border-stone-200 p-3 [overflow-wrap:anywhere] dark:border-stone-800"
    >
      <div className="flex min-w-0 flex-wrap items-center gap-2">
        <span className="text-xs text-stone-500">{entry.position + 1}.</span>
        {entry.runId ? (
          <Link
            href={`/runs/${entry.runId}`}
            className="min-w-0 font-mono text-sm text-emerald-700 hover:underline dark:text-emerald-400"
          >
            {entry.branch}
          </Link>
        ) : (
          <code className="min-w-0 text-sm">{entry.branch}</code>
        )}
        <span className={`rounded-full px-2 py-0.5 text-xs font-medium ${STATE_TONES[entry.state]}`}>
          {queueEntryStateLabel(entry.state)}
          {entry.stage && entry.state !== "waiting" ? ` · ${entry.stage}` : ""}
        </span>
        {entry.prioritized && <span className="text-xs font-medium text-amber-700 dark:text-amber-400">put first</span>}
      </div>
      <dl className="mt-1 grid min-w-0 grid-cols-[5.5rem_minmax(0,1fr)] gap-x-2 text-xs text-stone-600 dark:text-stone-400">
        {entry.slot !== null && (
          <>
            <dt>Slot</dt>
            <dd>{entry.slot + 1}</dd>
          </>
        )}
        {entry.candidateSha && (
          <>
            <dt>Candidate</dt>
            <dd className="min-w-0">
              <code>{shortSha(entry.candidateSha)}</code>
              {base ? ` ${base}` : ""}
            </dd>
          </>
        )}
        {entry.testStartedAt !== null && (
          <>
            <dt>Tests</dt>
            <dd>
              running {formatDuration(Math.max(0, now - entry.testStartedAt))} · {entry.testLines} lines printed
            </dd>
          </>
        )}
        {reason && (
          <>
            <dt>Why</dt>
            <dd className="min-w-0">{reason}</dd>
          </>
        )}
        <dt>ETA</dt>
        <dd>{etaText(entry.etaAt, now)}</dd>
      </dl>
      {canPrioritize && entry.mergeRequestId && putFirstRefusal(entry, queue.entries.slice(0, entry.position)) === null && (
        <div className="mt-2">
          <PutFirstButton mergeRequestId={entry.mergeRequestId} branch={entry.branch} />
        </div>
      )}
    </li>
  );
}
