"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "../../lib/trpc.ts";
import { Card } from "../card.tsx";
import { StateBadge } from "../state-badge.tsx";
import { Button } from "../ui/button.tsx";
import { ErrorText } from "../ui/feedback.tsx";
import { RelativeTime } from "../ui/time.tsx";
import { InviteForm } from "./invite-form.tsx";

const ROLES = ["viewer", "approver", "admin"] as const;

export function UsersAdmin() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const me = useQuery(trpc.auth.me.queryOptions());
  const list = useQuery(trpc.user.list.queryOptions());
  const refresh = () => void queryClient.invalidateQueries({ queryKey: trpc.user.list.queryKey() });
  const setRole = useMutation(trpc.user.setRole.mutationOptions({ onSettled: refresh }));
  const remove = useMutation(trpc.user.remove.mutationOptions({ onSettled: refresh }));
  const revoke = useMutation(trpc.user.revokeInvite.mutationOptions({ onSettled: refresh }));

  return (
    <Card title="People">
      <InviteForm />
      <ErrorText error={setRole.error ?? remove.error} />
      <ul className="mt-4 divide-y divide-stone-200 dark:divide-stone-800">
        {list.data?.users.map((u) => (
          <li key={u.id} className="flex flex-wrap items-center gap-2 py-2 text-sm">
            <span className="min-w-0 flex-1 truncate">
              {u.name} <span className="text-stone-500">{u.email}</span>
            </span>
            <label className="sr-only" htmlFor={`role-${u.id}`}>
              Role of {u.email}
            </label>
            <select
              id={`role-${u.id}`}
              value={u.role}
              disabled={u.id === me.data?.id}
              onChange={(e) => {
                const role = ROLES.find((r) => r === e.target.value);
                if (role) setRole.mutate({ userId: u.id, role });
              }}
              className="rounded-lg border border-stone-300 bg-white px-2 py-1 text-sm dark:border-stone-700 dark:bg-stone-950"
            >
              {ROLES.map((r) => (
                <option key={r} value={r}>
                  {r}
                </option>
              ))}
            </select>
            {u.id !== me.data?.id && (
              <Button
                size="sm"
                variant="danger"
                aria-label={`Remove ${u.email}`}
                onClick={() => window.confirm(`Remove ${u.email}? Their sessions end now.`) && remove.mutate({ userId: u.id })}
              >
                Remove
              </Button>
            )}
          </li>
        ))}
      </ul>
      {(list.data?.invitations.length ?? 0) > 0 && (
        <>
          <h3 className="mb-1 mt-4 text-sm font-semibold">Open invitations</h3>
          <ul className="divide-y divide-stone-200 text-sm dark:divide-stone-800">
            {list.data?.invitations.map((i) => (
              <li key={i.id} className="flex flex-wrap items-center gap-2 py-2">
                <span className="min-w-0 flex-1 truncate">{i.email}</span>
                <StateBadge state={i.role} />
                <span className="text-xs text-stone-500">
                  expires <RelativeTime date={i.expiresAt} />
                </span>
                <Button
                  size="sm"
                  variant="ghost"
                  aria-label={`Revoke the invitation of ${i.email}`}
                  onClick={() => revoke.mutate({ id: i.id })}
                >
                  Revoke
                </Button>
              </li>
            ))}
          </ul>
        </>
      )}
    </Card>
  );
}
