"use client";
import { TextField } from "../ui/field.tsx";

export type AuditFilterDraft = {
  sessionId: string;
  agent: string;
  branch: string;
  actorId: string;
  action: string;
  since: string;
  until: string;
};
export const EMPTY_FILTER: AuditFilterDraft = {
  sessionId: "",
  agent: "",
  branch: "",
  actorId: "",
  action: "",
  since: "",
  until: "",
};

/** The draft as the audit query takes it: blanks dropped, local date-times as epoch ms. */
export function toAuditQuery(draft: AuditFilterDraft) {
  const text = (value: string) => value.trim() || undefined;
  const time = (value: string) => (value ? new Date(value).getTime() : undefined);
  return {
    sessionId: text(draft.sessionId),
    agent: text(draft.agent),
    branch: text(draft.branch),
    actorId: text(draft.actorId),
    action: text(draft.action),
    since: time(draft.since),
    until: time(draft.until),
  };
}

export function AuditFilters({ value, onChange }: { value: AuditFilterDraft; onChange: (next: AuditFilterDraft) => void }) {
  const set = (key: keyof AuditFilterDraft) => (e: { target: { value: string } }) =>
    onChange({ ...value, [key]: e.target.value });
  return (
    <div role="group" aria-label="Filters" className="grid gap-3 sm:grid-cols-2 lg:grid-cols-4">
      <TextField label="Branch" placeholder="agent/demo/task-1" value={value.branch} onChange={set("branch")} />
      <TextField label="Agent" placeholder="demo" value={value.agent} onChange={set("agent")} />
      <TextField label="Session" placeholder="session-20260101-0900" value={value.sessionId} onChange={set("sessionId")} />
      <TextField label="Actor" placeholder="someone@example.com" value={value.actorId} onChange={set("actorId")} />
      <TextField label="Action" placeholder="merge. (a family) or merge.approved" value={value.action} onChange={set("action")} />
      <TextField label="From" type="datetime-local" value={value.since} onChange={set("since")} />
      <TextField label="To" type="datetime-local" value={value.until} onChange={set("until")} />
    </div>
  );
}
