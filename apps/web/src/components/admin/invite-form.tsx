"use client";
import { useState, type FormEvent } from "react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "../../lib/trpc.ts";
import { Button } from "../ui/button.tsx";
import { CopyField } from "../ui/copy-field.tsx";
import { SelectField, TextField } from "../ui/field.tsx";
import { ErrorText } from "../ui/feedback.tsx";

export function InviteForm() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [email, setEmail] = useState("");
  const [role, setRole] = useState<"viewer" | "approver" | "admin">("approver");
  const invite = useMutation(
    trpc.user.invite.mutationOptions({
      onSuccess: () => {
        setEmail("");
        void queryClient.invalidateQueries({ queryKey: trpc.user.list.queryKey() });
      },
    }),
  );
  const submit = (event: FormEvent) => {
    event.preventDefault();
    invite.mutate({ email, role });
  };
  return (
    <form onSubmit={submit} className="space-y-3" aria-label="Invite someone">
      <div className="grid gap-3 sm:grid-cols-[minmax(0,1fr)_10rem]">
        <TextField label="Email to invite" type="email" required value={email} onChange={(e) => setEmail(e.target.value)} />
        <SelectField
          label="Role"
          value={role}
          onChange={(e) => setRole(e.target.value === "admin" ? "admin" : e.target.value === "viewer" ? "viewer" : "approver")}
        >
          <option value="viewer">viewer</option>
          <option value="approver">approver</option>
          <option value="admin">admin</option>
        </SelectField>
      </div>
      <p className="text-xs text-stone-500">
        A viewer sees everything; an approver also starts sessions and approves merges; an admin also manages people and runners.
      </p>
      <Button type="submit" variant="primary" disabled={invite.isPending}>
        Create invitation
      </Button>
      <ErrorText error={invite.error} />
      {invite.data && (
        <CopyField
          label={`Invitation link for ${invite.data.email} (${invite.data.role})`}
          value={`${window.location.origin}${invite.data.path}`}
        />
      )}
    </form>
  );
}
