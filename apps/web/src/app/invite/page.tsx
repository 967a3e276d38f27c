"use client";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "../../lib/trpc.ts";
import { useHashParam } from "../../lib/use-hash-param.ts";
import { Button } from "../../components/ui/button.tsx";
import { TextField } from "../../components/ui/field.tsx";
import { ErrorText, Loading } from "../../components/ui/feedback.tsx";

export default function InvitePage() {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const token = useHashParam("token");
  const invitation = useQuery({ ...trpc.user.invitation.queryOptions({ token }), enabled: token.length >= 20, retry: false });
  const [name, setName] = useState("");
  const [password, setPassword] = useState("");
  const accept = useMutation(
    trpc.user.acceptInvite.mutationOptions({
      onSuccess: async () => {
        await queryClient.invalidateQueries();
        router.replace("/");
      },
    }),
  );

  const submit = (event: FormEvent) => {
    event.preventDefault();
    accept.mutate({ token, name, password });
  };

  return (
    <div className="rounded-2xl border border-stone-200 bg-white p-6 shadow-sm dark:border-stone-800 dark:bg-stone-900">
      <h1 className="mb-1 text-2xl font-semibold">Join grove</h1>
      {!token && <p className="text-sm text-stone-500">Open the invitation link you were sent; it carries your token.</p>}
      {invitation.isPending && token && <Loading />}
      <ErrorText error={invitation.error} />
      {invitation.data && (
        <>
          <p className="mb-6 text-sm text-stone-500">
            You are invited as <strong>{invitation.data.role}</strong> with the email <strong>{invitation.data.email}</strong>.
          </p>
          <form onSubmit={submit} className="space-y-4">
            <TextField label="Your name" required autoComplete="name" value={name} onChange={(e) => setName(e.target.value)} />
            <TextField
              label="Choose a password"
              type="password"
              required
              minLength={10}
              autoComplete="new-password"
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              hint="At least 10 characters."
            />
            <ErrorText error={accept.error} />
            <Button type="submit" variant="primary" size="lg" className="w-full" disabled={accept.isPending}>
              {accept.isPending ? "Creating your account…" : "Create account"}
            </Button>
          </form>
        </>
      )}
    </div>
  );
}
