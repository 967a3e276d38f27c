"use client";
import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "../../../lib/trpc.ts";
import { StartSessionForm } from "../../../components/start-session-form.tsx";
import { PageHeader } from "../../../components/ui/feedback.tsx";

export default function NewSessionPage() {
  const trpc = useTRPC();
  const me = useQuery(trpc.auth.me.queryOptions());
  // Said before the form, and the form disabled: a viewer should not fill it in to learn it is refused.
  const isViewer = me.data?.role === "viewer";
  return (
    <div className="space-y-4">
      <PageHeader title="New session" description="Each task runs in its own worktree on branch agent/<agent>/<task id>." />
      {isViewer && (
        <p
          id="start-refused"
          role="note"
          className="rounded-xl border border-amber-300 bg-amber-50 p-3 text-sm text-amber-900 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-200"
        >
          Starting a session needs the approver role; you are a viewer. You can look at this form, but an admin has to give you
          the approver role before you can start one.
        </p>
      )}
      <fieldset disabled={isViewer} aria-describedby={isViewer ? "start-refused" : undefined} className="min-w-0">
        <StartSessionForm />
      </fieldset>
    </div>
  );
}
