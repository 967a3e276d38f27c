"use client";
import Link from "next/link";
import { useState, type FormEvent } from "react";
import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "../../lib/trpc.ts";
import { Card } from "../card.tsx";
import { Button } from "../ui/button.tsx";
import { TextField } from "../ui/field.tsx";
import { Empty, ErrorText } from "../ui/feedback.tsx";

/** For any commit on the integration branch: which agent, which task, which tests, who approved, when. */
export function CommitLookup() {
  const trpc = useTRPC();
  const [draft, setDraft] = useState("");
  const [sha, setSha] = useState("");
  const found = useQuery({ ...trpc.audit.commit.queryOptions({ sha }), enabled: sha.length >= 7 });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSha(draft.trim());
  };
  const p = found.data;
  return (
    <Card title="Where did this commit come from?">
      <form onSubmit={submit} className="flex flex-wrap items-end gap-2">
        <TextField
          label="Commit SHA"
          className="min-w-0 flex-1"
          placeholder="at least 7 hex digits"
          value={draft}
          onChange={(e) => setDraft(e.target.value)}
        />
        <Button type="submit">Look up</Button>
      </form>
      <div className="mt-3 text-sm">
        <ErrorText error={found.error} />
        {found.isSuccess && !p && <Empty>grove did not bring that commit in.</Empty>}
        {p && (
          <dl className="grid grid-cols-[auto_1fr] gap-x-3 gap-y-1">
            <dt className="text-stone-500">Kind</dt>
            <dd>{p.kind}</dd>
            <dt className="text-stone-500">Agent · task</dt>
            <dd>
              {p.agent ?? "—"} · {p.taskId ?? "—"}
            </dd>
            <dt className="text-stone-500">Branch</dt>
            <dd className="font-mono">
              {p.runId ? (
                <Link href={`/runs/${p.runId}`} className="text-emerald-700 hover:underline dark:text-emerald-400">
                  {p.branch}
                </Link>
              ) : (
                p.branch
              )}
            </dd>
            <dt className="text-stone-500">Tests</dt>
            <dd>
              branch {p.tests.branch?.status ?? "—"}
              {p.tests.mergedTree ? ` · merged tree ${p.tests.mergedTree.status}` : ""}
            </dd>
            <dt className="text-stone-500">Approved</dt>
            <dd>
              {p.approval
                ? `${p.approval.kind === "auto" ? "automatically" : `by ${p.approval.by}`} ${new Date(p.approval.at).toLocaleString()}${p.approval.comment ? ` — “${p.approval.comment}”` : ""}`
                : "—"}
            </dd>
            <dt className="text-stone-500">Merged</dt>
            <dd>{p.mergedAt ? new Date(p.mergedAt).toLocaleString() : "—"}</dd>
          </dl>
        )}
      </div>
    </Card>
  );
}
