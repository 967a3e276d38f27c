"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { findingUrgency, type FindingUrgency } from "@grove/core";
import { useTRPC } from "../../lib/trpc.ts";
import { Card } from "../../components/card.tsx";
import { AgentChecks } from "../../components/health/agent-checks.tsx";
import { DiskLedgerTable } from "../../components/health/disk-ledger.tsx";
import { LeftoverList } from "../../components/health/leftover-list.tsx";
import { StateBadge } from "../../components/state-badge.tsx";
import { Button } from "../../components/ui/button.tsx";
import { Empty, ErrorText, Loading, PageHeader } from "../../components/ui/feedback.tsx";

/** `grove doctor` for every served repository; an admin may apply the fixes that cannot lose work. */
export default function HealthPage() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const me = useQuery(trpc.auth.me.queryOptions());
  const repos = useQuery(trpc.health.list.queryOptions());
  const fix = useMutation(
    trpc.health.fix.mutationOptions({
      onSettled: () => void queryClient.invalidateQueries({ queryKey: trpc.health.list.queryKey() }),
    }),
  );
  const isAdmin = me.data?.role === "admin";

  return (
    <div className="space-y-4">
      <PageHeader
        title="Health"
        description="What worktree work left behind: prunable worktrees, stale locks, merged branches, orphaned processes, ended runs' worktrees that never landed; the disk each worktree takes; and the agent CLIs each runner can start."
      />
      {repos.isPending && <Loading label="Running doctor on each runner…" />}
      {repos.data?.length === 0 && <Empty>No runner has reported a repository yet.</Empty>}
      <ErrorText error={fix.error} />
      {repos.data?.map((repo) => {
        const findings = repo.report?.findings ?? [];
        const safe = findings.filter((f) => f.isSafeToFix).length;
        return (
          <Card
            key={`${repo.runnerId}:${repo.path}`}
            title={`${repo.name} on ${repo.runnerName}`}
            actions={
              isAdmin && safe > 0 ? (
                <Button
                  variant="primary"
                  size="sm"
                  disabled={fix.isPending}
                  onClick={() => fix.mutate({ runnerId: repo.runnerId, repoPath: repo.path })}
                >
                  Apply {safe} safe fix{safe === 1 ? "" : "es"}
                </Button>
              ) : null
            }
          >
            {repo.error && <p className="text-sm text-stone-500">{repo.error}</p>}
            {repo.report && findings.every(isNothingToDo) && repo.report.leftovers.length === 0 && (
              <p className="text-sm text-emerald-700 dark:text-emerald-400">✓ No problems found.</p>
            )}
            <ul className="space-y-3">
              {findings.map((f, i) => (
                <li key={`${f.kind}-${i}`} className="text-sm">
                  <div className="flex flex-wrap items-center gap-2">
                    <StateBadge state={URGENCY_TONES[findingUrgency(f)]} label={f.kind} />
                    <span className="text-xs text-stone-500">{findingUrgency(f)}</span>
                  </div>
                  <p className="mt-1">{f.message}</p>
                  <p className="mt-1 text-xs text-stone-500">
                    Fix: <code className="break-all">{f.fix}</code>
                  </p>
                </li>
              ))}
            </ul>
            {repo.report && (
              <LeftoverList runnerId={repo.runnerId} repoPath={repo.path} leftovers={repo.report.leftovers} isAdmin={isAdmin} />
            )}
            {repo.report?.disk && <DiskLedgerTable ledger={repo.report.disk} />}
            {!isAdmin && safe > 0 && <p className="mt-3 text-xs text-stone-500">An admin can apply the safe fixes from here.</p>}
          </Card>
        );
      })}
      <AgentChecks />
    </div>
  );
}

// A kept warm merge tree is no alarm: grey, where a finding a person must see to is red.
const URGENCY_TONES: Record<FindingUrgency, string> = { "safe fix": "open", "needs a person": "failed", "nothing to do": "none" };
const isNothingToDo = (f: { kind: string; isSafeToFix: boolean }) => findingUrgency(f) === "nothing to do";
