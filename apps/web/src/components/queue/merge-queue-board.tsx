"use client";
import { useEffect, useState } from "react";
import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "../../lib/trpc.ts";
import { shortSha } from "../../lib/wording/queue-wording.ts";
import { Empty, ErrorText, Loading } from "../ui/feedback.tsx";
import { QueueEntryItem } from "./queue-entry-item.tsx";
import { QueueOwners } from "./queue-owners.tsx";

/** Ticks once a second while anything is being tested, so running times and ETAs move between snapshots. */
function useNow(isTicking: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!isTicking) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [isTicking]);
  return now;
}

/** The runners' merge queues as they are: one per repository and integration branch, live. */
export function MergeQueueBoard({ canPrioritize }: { canPrioritize: boolean }) {
  const trpc = useTRPC();
  const queues = useQuery(trpc.queue.list.queryOptions());
  const now = useNow((queues.data ?? []).some((q) => q.entries.length > 0));
  if (queues.isPending) return <Loading />;
  if (queues.error) return <ErrorText error={queues.error} />;
  if (queues.data.length === 0)
    return (
      <>
        <QueueOwners />
        <Empty>No merge is queued: approved requests show here while they are tested and land.</Empty>
      </>
    );
  return (
    <>
      <QueueOwners />
      <div className="grid min-w-0 gap-4 lg:grid-cols-2">
        {queues.data.map((queue) => (
          <section
            key={`${queue.runnerId} ${queue.repoPath} ${queue.integration}`}
            aria-label={`Merge queue of ${queue.repoName} into ${queue.integration}`}
            className="min-w-0 rounded-2xl border border-stone-200 bg-white p-4 shadow-sm [overflow-wrap:anywhere] dark:border-stone-800 dark:bg-stone-900"
          >
            <h2 className="text-base font-semibold">
              {queue.repoName} → <code>{queue.integration}</code>
            </h2>
            <p className="mb-3 text-xs text-stone-500">
              {queue.runnerName} · {queue.parallel} test {queue.parallel === 1 ? "slot" : "slots"}
              {queue.integrationSha ? ` · ${queue.integration} at ${shortSha(queue.integrationSha)}` : ""} ·{" "}
              {queue.entries.length} queued
            </p>
            <ol className="min-w-0 space-y-2">
              {queue.entries.map((entry) => (
                <QueueEntryItem
                  key={entry.mergeRequestId ?? entry.runId ?? entry.branch}
                  entry={entry}
                  queue={queue}
                  now={now}
                  canPrioritize={canPrioritize}
                />
              ))}
            </ol>
          </section>
        ))}
      </div>
    </>
  );
}
