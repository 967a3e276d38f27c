"use client";
import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "../../lib/trpc.ts";

/** Which runner owns each merge queue now: only it lands into that branch, whichever runner ran the agent. */
export function QueueOwners() {
  const trpc = useTRPC();
  const owners = useQuery(trpc.queue.owners.queryOptions());
  if (!owners.data || owners.data.length === 0) return null;
  return (
    <ul aria-label="Queue owners" className="mb-4 space-y-1 text-sm text-stone-600 dark:text-stone-300">
      {owners.data.map((owner) => (
        <li key={`${owner.repositoryId} ${owner.integration}`}>
          {owner.repoName} → <code>{owner.integration}</code>: owned by <strong>{owner.runnerName}</strong> (lease epoch{" "}
          {owner.epoch}
          {owner.isOnline ? "" : ", offline: another runner takes it over when its lease expires"})
        </li>
      ))}
    </ul>
  );
}
