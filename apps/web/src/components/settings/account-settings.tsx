"use client";
import { useEffect, useState, type FormEvent } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "../../lib/trpc.ts";
import { Card } from "../card.tsx";
import { Button } from "../ui/button.tsx";
import { TextField } from "../ui/field.tsx";
import { ErrorText } from "../ui/feedback.tsx";

/** The signed-in person's display name and password. */
export function AccountSettings() {
  return (
    <Card title="Account">
      <div className="space-y-6">
        <DisplayNameForm />
        <PasswordForm />
      </div>
    </Card>
  );
}

function DisplayNameForm() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const me = useQuery(trpc.auth.me.queryOptions());
  const [name, setName] = useState("");
  useEffect(() => setName(me.data?.name ?? ""), [me.data?.name]);
  const rename = useMutation(
    trpc.account.rename.mutationOptions({
      onSuccess: () => void queryClient.invalidateQueries({ queryKey: trpc.auth.me.queryKey() }),
    }),
  );
  const submit = (event: FormEvent) => {
    event.preventDefault();
    rename.mutate({ name });
  };
  return (
    <form onSubmit={submit} aria-label="Display name" className="space-y-3">
      <TextField label="Display name" value={name} maxLength={100} required onChange={(e) => setName(e.target.value)} />
      <div className="flex flex-wrap items-center gap-2">
        <Button type="submit" variant="primary" disabled={rename.isPending}>
          Save name
        </Button>
        {rename.isSuccess && (
          <span role="status" className="text-xs text-emerald-700 dark:text-emerald-400">
            Name saved.
          </span>
        )}
      </div>
      <ErrorText error={rename.error} />
    </form>
  );
}

function PasswordForm() {
  const trpc = useTRPC();
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const [repeat, setRepeat] = useState("");
  const change = useMutation(
    trpc.account.changePassword.mutationOptions({
      onSuccess: () => {
        setCurrent("");
        setNext("");
        setRepeat("");
      },
    }),
  );
  const mismatch = repeat !== "" && repeat !== next;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!mismatch) change.mutate({ currentPassword: current, newPassword: next });
  };
  return (
    <form onSubmit={submit} aria-label="Change password" className="space-y-3">
      <TextField
        label="Current password"
        type="password"
        autoComplete="current-password"
        required
        value={current}
        onChange={(e) => setCurrent(e.target.value)}
      />
      <TextField
        label="New password"
        type="password"
        autoComplete="new-password"
        required
        minLength={10}
        maxLength={256}
        value={next}
        onChange={(e) => setNext(e.target.value)}
        hint="At least 10 characters. Your other signed-in browsers are signed out."
      />
      <TextField
        label="New password again"
        type="password"
        autoComplete="new-password"
        required
        value={repeat}
        onChange={(e) => setRepeat(e.target.value)}
      />
      {mismatch && <p className="text-xs text-red-700 dark:text-red-400">The two new passwords differ.</p>}
      <div className="flex flex-wrap items-center gap-2">
        <Button type="submit" variant="primary" disabled={change.isPending || mismatch}>
          Change password
        </Button>
        {change.isSuccess && (
          <span role="status" className="text-xs text-emerald-700 dark:text-emerald-400">
            Password changed.
          </span>
        )}
      </div>
      <ErrorText error={change.error} />
    </form>
  );
}
