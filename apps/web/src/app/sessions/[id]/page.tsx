"use client";
import { useParams } from "next/navigation";
import { useQuery } from "@tanstack/react-query";
import { useTRPC, type RouterOutputs } from "../../../lib/trpc.ts";
import { Card } from "../../../components/card.tsx";
import { LogView } from "../../../components/log-view.tsx";
import { MergeRequestCard, summaryOf } from "../../../components/merge-request-card.tsx";
import { StateBadge } from "../../../components/state-badge.tsx";

type Run = NonNullable<RouterOutputs["session"]["byId"]>["runs"][number];

export default function SessionPage() {
  const params = useParams<{ id: string }>();
  const trpc = useTRPC();
  const session = useQuery(trpc.session.byId.queryOptions({ id: params.id }));

  if (session.isPending) return <p className="text-sm text-stone-500">Loading…</p>;
  if (!session.data) return <p role="alert">No session {params.id}.</p>;

  return (
    <div className="space-y-4">
      <div>
        <h1 className="text-2xl font-semibold">{session.data.id}</h1>
        <p className="text-sm text-stone-500">
          {session.data.repoPath} · integration <code>{session.data.integration}</code>
        </p>
      </div>
      {session.data.runs.map((run) => (
        <RunSection key={run.id} run={run} />
      ))}
    </div>
  );
}

function RunSection({ run }: { run: Run }) {
  const mr = run.mergeRequests[0];
  return (
    <Card title={run.branch} actions={<StateBadge state={run.state} label={`run ${run.state}`} />}>
      <p className="mb-2 text-sm text-stone-600 dark:text-stone-400">{run.prompt}</p>
      <dl className="mb-3 grid grid-cols-[auto_1fr] gap-x-3 gap-y-1 text-xs">
        <dt className="text-stone-500">Exit code</dt>
        <dd>{run.exitCode ?? "—"}</dd>
        <dt className="text-stone-500">Tests</dt>
        <dd>{run.testStatus ?? "—"}</dd>
        <dt className="text-stone-500">Head</dt>
        <dd className="font-mono">{run.headSha?.slice(0, 12) ?? "—"}</dd>
        {run.resultError && (
          <>
            <dt className="text-stone-500">RESULT</dt>
            <dd className="text-red-700 dark:text-red-400">{run.resultError}</dd>
          </>
        )}
        {run.error && (
          <>
            <dt className="text-stone-500">Error</dt>
            <dd className="text-red-700 dark:text-red-400">{run.error}</dd>
          </>
        )}
      </dl>
      <LogView runId={run.id} label={`Log of ${run.branch}`} />
      {mr && (
        <div className="mt-3">
          <MergeRequestCard
            mr={{ ...mr, testStatus: run.testStatus, diffStat: run.diffStat, summary: summaryOf(run.result) }}
          />
        </div>
      )}
    </Card>
  );
}
