"use client";

import { describeTestStatus } from "@grove/core/labels";
import { describeRunState } from "@grove/core/lifecycle-states";
import Link from "next/link";
import { useEffect, useState } from "react";
import { RunUsage, type RunUsageView } from "./run-usage.tsx";
import { StateBadge } from "./state-badge.tsx";
import { formatDuration } from "./ui/time.tsx";

export type RunFactsView = {
  id: string;
  agent: string;
  profile: string;
  branch: string;
  state: string;
  exitCode: number | null;
  testStatus: string | null;
  testMs: number | null;
  startedAt: Date | null;
  endedAt: Date | null;
} & RunUsageView;

export function runDuration(run: { startedAt: Date | null; endedAt: Date | null }, now = Date.now()): number | null {
  if (!run.startedAt) return null;
  return (run.endedAt ? new Date(run.endedAt).getTime() : now) - new Date(run.startedAt).getTime();
}

/** The facts of a run at a glance: state, agent, branch, duration, tests. */
export function RunFacts({ run, link = false }: { run: RunFactsView; link?: boolean }) {
  const isRunning = run.startedAt !== null && run.endedAt === null;
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!isRunning) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [isRunning]);
  return (
    <dl className="grid grid-cols-[auto_1fr] gap-x-3 gap-y-1 text-xs sm:grid-cols-[auto_1fr_auto_1fr]">
      <dt className="text-stone-500">State</dt>
      <dd>
        <StateBadge state={run.state} label={`run ${describeRunState(run.state)}`} />
      </dd>
      <dt className="text-stone-500">Agent</dt>
      <dd>
        {run.agent}
        {run.profile !== run.agent ? ` (${run.profile})` : ""}
      </dd>
      <dt className="text-stone-500">Branch</dt>
      <dd className="min-w-0 truncate font-mono">
        {link ? (
          <Link href={`/runs/${run.id}`} className="text-emerald-700 hover:underline dark:text-emerald-400">
            {run.branch}
          </Link>
        ) : (
          run.branch
        )}
      </dd>
      <dt className="text-stone-500">Duration</dt>
      <dd>{formatDuration(runDuration(run, now))}</dd>
      <dt className="text-stone-500">Exit code</dt>
      <dd>{run.exitCode ?? "—"}</dd>
      <dt className="text-stone-500">Tests</dt>
      <dd>
        {run.testStatus ? <StateBadge state={run.testStatus} label={describeTestStatus(run.testStatus)} /> : "—"}{" "}
        {run.testMs !== null ? formatDuration(run.testMs) : ""}
      </dd>
      <RunUsage run={run} />
    </dl>
  );
}
