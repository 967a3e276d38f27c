"use client";
import { useState } from "react";
import Link from "next/link";
import { useParams } from "next/navigation";
import { useMutation, useQuery } from "@tanstack/react-query";
import { LIVE_RUN_STATES } from "@grove/core/lifecycle-states";
import { useTRPC } from "../../../lib/trpc.ts";
import { Card } from "../../../components/card.tsx";
import { DiffView } from "../../../components/diff-view.tsx";
import { VirtualLog } from "../../../components/log/virtual-log.tsx";
import { ResultView } from "../../../components/result-view.tsx";
import { RunWaiting } from "../../../components/run-waiting.tsx";
import { RunExplanation } from "../../../components/run-explanation.tsx";
import { RunProgressBar } from "../../../components/run-progress-bar.tsx";
import { RunFacts } from "../../../components/run-facts.tsx";
import { RunLanded } from "../../../components/run-landed.tsx";
import { RefusedActions } from "../../../components/agent-view/refused-actions.tsx";
import { RunTests } from "../../../components/run-tests.tsx";
import { Button } from "../../../components/ui/button.tsx";
import { RequestChangesForm } from "../../../components/review/request-changes-form.tsx";
import { RerunActions } from "../../../components/review/rerun-actions.tsx";
import { TaskRounds } from "../../../components/review/task-rounds.tsx";
import { Empty, ErrorText, Loading, PageHeader } from "../../../components/ui/feedback.tsx";
import { Tabs } from "../../../components/ui/tabs.tsx";

type WaitingRequest = { id: string; state: string; headSha: string } | undefined;

function RunDiff({ runId, branch, request }: { runId: string; branch: string; request: WaitingRequest }) {
  const trpc = useTRPC();
  const [isCommenting, setCommenting] = useState(false);
  const diff = useQuery(trpc.run.diff.queryOptions({ id: runId }));
  if (diff.isPending) return <Loading label="Asking the runner for the diff…" />;
  if (diff.error) return <ErrorText error={diff.error} />;
  if (diff.data.isEmpty) return <Empty>No changes (yet).</Empty>;
  if (request && isCommenting)
    return (
      <RequestChangesForm
        mergeRequestId={request.id}
        headSha={request.headSha}
        branch={branch}
        diff={diff.data}
        onClose={() => setCommenting(false)}
      />
    );
  return (
    <div className="space-y-3">
      {request && (
        <Button className="w-full" aria-label={`Request changes on ${branch}`} onClick={() => setCommenting(true)}>
          Request changes
        </Button>
      )}
      <pre aria-label="Diff stat" className="overflow-x-auto rounded-xl bg-stone-100 p-3 text-xs dark:bg-stone-900">
        {diff.data.stat}
      </pre>
      <DiffView patch={diff.data.patch} isTruncated={diff.data.isTruncated} />
    </div>
  );
}

export function RunView() {
  const params = useParams<{ id: string }>();
  const trpc = useTRPC();
  const me = useQuery(trpc.auth.me.queryOptions());
  const run = useQuery(trpc.run.byId.queryOptions({ id: params.id }));
  const cancel = useMutation(trpc.run.cancel.mutationOptions());

  if (run.isPending) return <Loading />;
  if (!run.data) return <ErrorText error={run.error ?? { message: "No such run." }} />;
  const r = run.data;
  const canAct = me.data !== undefined && me.data?.role !== "viewer";
  const canCancel = canAct && (LIVE_RUN_STATES as readonly string[]).includes(r.state);
  const latest = r.mergeRequests[0];
  const waiting = canAct && latest && (latest.state === "open" || latest.state === "blocked") ? latest : undefined;

  return (
    <div className="space-y-4">
      <PageHeader
        title={r.branch}
        description={
          <>
            <Link href={`/sessions/${r.sessionId}`} className="text-emerald-700 hover:underline dark:text-emerald-400">
              {r.sessionId}
            </Link>{" "}
            · {r.session.repoPath} → {r.session.integration} · on {r.session.runner.name}
            {r.round > 1 ? ` · round ${r.round}` : ""}
          </>
        }
        actions={
          canCancel ? (
            <Button variant="danger" disabled={cancel.isPending} onClick={() => cancel.mutate({ id: r.id })}>
              {cancel.isPending ? "Cancelling…" : "Cancel run"}
            </Button>
          ) : null
        }
      />
      <ErrorText error={cancel.error} />
      <Card title="Run">
        <p className="mb-3 whitespace-pre-wrap text-sm text-stone-600 dark:text-stone-400">{r.prompt}</p>
        <RunFacts run={r} />
        <RunLanded landed={r.landed} />
        <RefusedActions count={r.refusedActions} />
        {r.state === "preparing" && <RunProgressBar runId={r.id} />}
        <RunWaiting waiting={r.waiting} />
        <RunExplanation state={r.state} error={r.error} />
        {canAct && <RerunActions run={r} />}
      </Card>
      <TaskRounds runId={r.id} />
      <Card title="Details">
        <Tabs
          label="Run details"
          tabs={[
            {
              id: "log",
              title: "Log",
              content: () => <VirtualLog runId={r.id} lastSeq={r.lastSeq} label={`Log of ${r.branch}`} />,
            },
            { id: "diff", title: "Diff", content: () => <RunDiff runId={r.id} branch={r.branch} request={waiting} /> },
            { id: "result", title: "Result", content: () => <ResultView result={r.result} error={r.resultError} /> },
            {
              id: "tests",
              title: "Tests",
              content: () => <RunTests runId={r.id} status={r.testStatus} exitCode={r.testExitCode} durationMs={r.testMs} />,
            },
          ]}
        />
      </Card>
    </div>
  );
}
