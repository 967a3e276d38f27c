"use client";
import { SessionList } from "../../components/session-list.tsx";
import { StartSessionLink } from "../../components/start-session-link.tsx";
import { PageHeader } from "../../components/ui/feedback.tsx";

export default function SessionsPage() {
  return (
    <div className="space-y-4">
      <PageHeader title="Sessions" actions={<StartSessionLink />} />
      <SessionList title="All sessions" limit={200} />
    </div>
  );
}
