"use client";
import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "../lib/trpc.ts";
import { Card } from "./card.tsx";
import { StateBadge } from "./state-badge.tsx";
import { Empty } from "./ui/feedback.tsx";
import { RelativeTime } from "./ui/time.tsx";

export function RunnersPanel() {
  const trpc = useTRPC();
  const runners = useQuery(trpc.runner.list.queryOptions());
  return (
    <Card title="Runners">
      {runners.data?.length === 0 && <Empty>No runner registered yet. An admin creates a runner token on the Admin page.</Empty>}
      <ul className="space-y-3">
        {runners.data?.map((r) => (
          <li key={r.id} className="text-sm">
            <div className="flex flex-wrap items-center gap-2">
              <span className="font-medium">{r.name}</span>
              <StateBadge state={r.online ? "online" : "offline"} />
              <span className="text-xs text-stone-500">
                {r.host ?? "unknown host"} · v{r.version ?? "?"} · heartbeat <RelativeTime date={r.lastSeenAt} />
              </span>
            </div>
            <div className="truncate text-xs text-stone-500">
              {r.repos.map((repo) => `${repo.name} → ${repo.integration}`).join(", ") || "no repositories"}
            </div>
          </li>
        ))}
      </ul>
    </Card>
  );
}
