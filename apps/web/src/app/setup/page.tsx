"use client";
import { useRouter } from "next/navigation";
import { useEffect, useState, type FormEvent } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "../../lib/trpc.ts";
import { useHashParam } from "../../lib/use-hash-param.ts";
import { Button } from "../../components/ui/button.tsx";
import { TextField } from "../../components/ui/field.tsx";
import { ErrorText } from "../../components/ui/feedback.tsx";

export default function SetupPage() {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const status = useQuery(trpc.setup.status.queryOptions());
  const fromLink = useHashParam("token");
  const [form, setForm] = useState({ token: "", name: "", email: "", password: "" });
  const create = useMutation(
    trpc.setup.createAdmin.mutationOptions({
      onSuccess: async () => {
        await queryClient.invalidateQueries();
        router.replace("/");
      },
    }),
  );

  useEffect(() => {
    if (fromLink) setForm((f) => ({ ...f, token: fromLink }));
  }, [fromLink]);
  useEffect(() => {
    if (status.data && !status.data.needsSetup && !create.isSuccess) router.replace("/login");
  }, [status.data, create.isSuccess, router]);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate(form);
  };
  const set = (key: keyof typeof form) => (e: { target: { value: string } }) => setForm((f) => ({ ...f, [key]: e.target.value }));

  return (
    <div className="rounded-2xl border border-stone-200 bg-white p-6 shadow-sm dark:border-stone-800 dark:bg-stone-900">
      <h1 className="mb-1 text-2xl font-semibold">Set up grove</h1>
      <p className="mb-6 text-sm text-stone-500">
        Create the first admin account. The setup token was printed by the server on its first start.
      </p>
      <form onSubmit={submit} className="space-y-4">
        <TextField
          label="Setup token"
          required
          autoComplete="off"
          value={form.token}
          onChange={set("token")}
          hint="From the setup link, or the setup-token file in the data folder."
        />
        <TextField label="Your name" required autoComplete="name" value={form.name} onChange={set("name")} />
        <TextField label="Email" type="email" required autoComplete="username" value={form.email} onChange={set("email")} />
        <TextField
          label="Password"
          type="password"
          required
          minLength={10}
          autoComplete="new-password"
          value={form.password}
          onChange={set("password")}
          hint="At least 10 characters."
        />
        <ErrorText error={create.error} />
        <Button type="submit" variant="primary" size="lg" className="w-full" disabled={create.isPending}>
          {create.isPending ? "Creating…" : "Create admin account"}
        </Button>
      </form>
    </div>
  );
}
