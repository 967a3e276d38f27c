"use client";
import { StartSessionForm } from "../../../components/start-session-form.tsx";
import { PageHeader } from "../../../components/ui/feedback.tsx";

export default function NewSessionPage() {
  return (
    <div className="space-y-4">
      <PageHeader title="New session" description="Each task runs in its own worktree on branch agent/<agent>/<task id>." />
      <StartSessionForm />
    </div>
  );
}
