"use client";
import { ApprovalsWaiting } from "../components/overview/approvals-waiting.tsx";
import { MergeQueue } from "../components/overview/merge-queue.tsx";
import { UsageTotals } from "../components/overview/usage-totals.tsx";
import { RunnersPanel } from "../components/runners-panel.tsx";
import { SessionList } from "../components/session-list.tsx";
import { StartSessionLink } from "../components/start-session-link.tsx";
import { PageHeader } from "../components/ui/feedback.tsx";

export default function OverviewPage() {
  return (
    <div className="space-y-4">
      <PageHeader
        title="Overview"
        description="Live: every change on a runner shows up here without a reload."
        actions={<StartSessionLink />}
      />
      <div className="grid gap-4 lg:grid-cols-2">
        <ApprovalsWaiting />
        <RunnersPanel />
        <SessionList title="Live sessions" live limit={20} />
        <MergeQueue />
        <UsageTotals />
      </div>
      <SessionList title="Recent sessions" limit={15} />
    </div>
  );
}
