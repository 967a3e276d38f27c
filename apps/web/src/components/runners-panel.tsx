"use client";
import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "../lib/trpc.ts";
import { Card } from "./card.tsx";
import { StateBadge } from "./state-badge.tsx";

export function RunnersPanel() {
  const trpc = useTRPC();
  const runners = useQuery(trpc.runner.list.queryOptions());
  return (
    <Card title="Runners">
      {runners.data?.length === 0 && <p className="text-sm text-stone-500">No runner registered yet.</p>}
      <ul className="space-y-2">
        {runners.data?.map((r) => (
          <li key={r.id} className="text-sm">
            <div className="flex items-center gap-2">
              <span className="font-medium">{r.name}</span>
              <StateBadge state={r.online ? "online" : "offline"} />
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
