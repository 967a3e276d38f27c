"use client";
import { useState, type FormEvent } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "../../lib/trpc.ts";
import { Card } from "../card.tsx";
import { StateBadge } from "../state-badge.tsx";
import { Button } from "../ui/button.tsx";
import { CopyField } from "../ui/copy-field.tsx";
import { TextField } from "../ui/field.tsx";
import { ErrorText } from "../ui/feedback.tsx";
import { RelativeTime } from "../ui/time.tsx";

export function RunnersAdmin() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const runners = useQuery(trpc.runner.list.queryOptions({ includeRevoked: true }));
  const [name, setName] = useState("");
  const refresh = () => void queryClient.invalidateQueries({ queryKey: trpc.runner.list.queryKey() });
  const create = useMutation(trpc.runner.create.mutationOptions({ onSuccess: () => setName(""), onSettled: refresh }));
  const revoke = useMutation(trpc.runner.revoke.mutationOptions({ onSettled: refresh }));
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate({ name });
  };

  return (
    <Card title="Runners">
      <form onSubmit={submit} className="flex flex-wrap items-end gap-2" aria-label="Create a runner token">
        <TextField
          label="New runner name"
          className="min-w-0 flex-1"
          required
          placeholder="alice's laptop"
          value={name}
          onChange={(e) => setName(e.target.value)}
        />
        <Button type="submit" variant="primary" disabled={create.isPending}>
          Create token
        </Button>
      </form>
      <ErrorText error={create.error ?? revoke.error} />
      {create.data && (
        <div className="mt-3 space-y-2">
          <CopyField label={`Runner token for ${create.data.name}`} value={create.data.token} />
          <p className="text-xs text-stone-500">
            On that machine:{" "}
            <code className="break-all">
              pnpm grove runner --hub {typeof window === "undefined" ? "" : window.location.origin} --token &lt;token&gt; --repo
              PATH
            </code>
          </p>
        </div>
      )}
      <ul className="mt-4 divide-y divide-stone-200 dark:divide-stone-800">
        {runners.data?.map((r) => (
          <li key={r.id} className="flex flex-wrap items-center gap-2 py-2 text-sm">
            <span className="font-medium">{r.name}</span>
            <StateBadge state={r.revokedAt ? "revoked" : r.online ? "online" : "offline"} />
            <span className="min-w-0 flex-1 text-xs text-stone-500">
              {r.host ?? "never connected"} · v{r.version ?? "?"} ·{" "}
              {r.repos.map((repo) => repo.name).join(", ") || "no repositories"} · heartbeat <RelativeTime date={r.lastSeenAt} />
            </span>
            {!r.revokedAt && (
              <Button
                size="sm"
                variant="danger"
                aria-label={`Revoke ${r.name}`}
                onClick={() =>
                  window.confirm(`Revoke ${r.name}? It is disconnected now and its token stops working.`) &&
                  revoke.mutate({ id: r.id })
                }
              >
                Revoke
              </Button>
            )}
          </li>
        ))}
      </ul>
    </Card>
  );
}
