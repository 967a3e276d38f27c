"use client";
import { useQuery } from "@tanstack/react-query";
import type { AgentCheck } from "@grove/core";
import { useTRPC } from "../../lib/trpc.ts";
import { Card } from "../card.tsx";
import { StateBadge } from "../state-badge.tsx";
import { Loading } from "../ui/feedback.tsx";

/** The verdict as a pill: its words carry the meaning (the tone is a StateBadge one). */
const VERDICTS: Record<AgentCheck["verdict"], { tone: string; label: string }> = {
  tested: { tone: "passed", label: "tested" },
  bundled: { tone: "passed", label: "bundled" },
  "other-version": { tone: "untested", label: "other version" },
  untested: { tone: "untested", label: "untested" },
  missing: { tone: "offline", label: "not installed" },
  "no-version": { tone: "failed", label: "no version" },
};

/** `grove agents check` per runner and repository: each profile's CLI as that runner's agents would find it. */
export function AgentChecks() {
  const trpc = useTRPC();
  const repos = useQuery(trpc.health.agents.queryOptions());
  if (repos.isPending) return <Loading label="Asking each runner about its agent CLIs…" />;
  return (
    <>
      {repos.data?.map((repo) => (
        <Card key={`${repo.runnerId}:${repo.path}`} title={`Agent CLIs on ${repo.runnerName} (${repo.name})`}>
          {repo.error && <p className="text-sm text-stone-500">{repo.error}</p>}
          {repo.checks && (
            // On a phone the table scrolls sideways rather than squeeze a CLI's path to a letter per line.
            <div className="-mx-4 overflow-x-auto px-4">
              <table className="w-full min-w-[36rem] text-left text-xs">
                <thead className="text-stone-500">
                  <tr>
                    <th className="py-1 pr-3">Profile</th>
                    <th className="py-1 pr-3">CLI</th>
                    <th className="py-1 pr-3">Version</th>
                    <th className="py-1 pr-3">Tested</th>
                    <th className="py-1">Note</th>
                  </tr>
                </thead>
                <tbody className="divide-y divide-stone-200 dark:divide-stone-800">
                  {repo.checks.map((check) => (
                    <tr key={check.profile}>
                      <td className="py-1.5 pr-3 font-medium">
                        {check.profile}
                        {check.source === "grove.yaml" && <span className="ml-1 text-stone-500">(grove.yaml)</span>}
                      </td>
                      <td className="min-w-48 break-all py-1.5 pr-3 font-mono">{check.path ?? check.command}</td>
                      <td className="whitespace-nowrap py-1.5 pr-3 font-mono">{check.version ?? "–"}</td>
                      <td className="py-1.5 pr-3">
                        <StateBadge state={VERDICTS[check.verdict].tone} label={VERDICTS[check.verdict].label} />
                      </td>
                      <td className="min-w-48 py-1.5">{check.note}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </Card>
      ))}
    </>
  );
}
