"use client";
import Link from "next/link";
import { useParams } from "next/navigation";
import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "../../../lib/trpc.ts";
import { Card } from "../../../components/card.tsx";
import { VirtualLog } from "../../../components/log/virtual-log.tsx";
import { RunWaiting } from "../../../components/run-waiting.tsx";
import { RunExplanation } from "../../../components/run-explanation.tsx";
import { RunFacts } from "../../../components/run-facts.tsx";
import { OutcomeBadge } from "../../../components/outcome-badge.tsx";
import { ErrorText, Loading, PageHeader } from "../../../components/ui/feedback.tsx";
import { RelativeTime } from "../../../components/ui/time.tsx";
import { SessionUsage } from "../../../components/session-usage.tsx";

/** A session's runs side by side, each with its live log tail. */
export function SessionView() {
  const params = useParams<{ id: string }>();
  const trpc = useTRPC();
  const session = useQuery(trpc.session.byId.queryOptions({ id: params.id }));

  if (session.isPending) return <Loading />;
  if (!session.data) return <ErrorText error={session.error ?? { message: `No session ${params.id}.` }} />;
  const s = session.data;

  return (
    <div className="space-y-4">
      <PageHeader
        title={s.id}
        description={
          <>
            {s.repoPath} · integration <code>{s.integration}</code> · on {s.runner.name} · started by {s.createdByEmail}{" "}
            <RelativeTime date={s.createdAt} />
            <SessionUsage session={s} />
          </>
        }
      />
      <div className="grid gap-4 xl:grid-cols-2">
        {s.runs.map((run) => (
          <Card
            key={run.id}
            title={run.round > 1 ? `${run.branch} (round ${run.round})` : run.branch}
            actions={
              <Link href={`/runs/${run.id}`} className="text-sm text-emerald-700 hover:underline dark:text-emerald-400">
                Open run
              </Link>
            }
          >
            <p className="mb-2 line-clamp-2 text-sm text-stone-600 dark:text-stone-400">{run.prompt}</p>
            <div className="mb-3">
              <RunFacts run={run} />
            </div>
            <RunWaiting waiting={run.waiting} compact />
            <RunExplanation state={run.state} error={run.error} compact />
            <VirtualLog
              runId={run.id}
              lastSeq={run.lastSeq}
              label={`Log of ${run.branch}${run.round > 1 ? ` (round ${run.round})` : ""}`}
              compact
            />
            {run.mergeRequests[0] && (
              <p className="mt-3 flex items-center gap-2 text-sm">
                <OutcomeBadge outcome={run.outcome} />
                {(run.mergeRequests[0].state === "open" || run.mergeRequests[0].state === "blocked") && (
                  <Link
                    href={`/approvals#${run.mergeRequests[0].id}`}
                    className="text-emerald-700 hover:underline dark:text-emerald-400"
                  >
                    Review in the approvals inbox
                  </Link>
                )}
              </p>
            )}
          </Card>
        ))}
      </div>
    </div>
  );
}
