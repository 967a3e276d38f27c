"use client";
import { useEffect, useState, type FormEvent } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "../../lib/trpc.ts";
import { Card } from "../card.tsx";
import { Button } from "../ui/button.tsx";
import { TextField } from "../ui/field.tsx";
import { ErrorText } from "../ui/feedback.tsx";

/** Admins: a Slack-compatible incoming webhook that hears about every approval waiting. */
export function WebhookSettings() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const settings = useQuery(trpc.notification.settings.queryOptions());
  const [url, setUrl] = useState("");
  const save = useMutation(
    trpc.notification.setWebhook.mutationOptions({
      onSettled: () => void queryClient.invalidateQueries({ queryKey: trpc.notification.settings.queryKey() }),
    }),
  );
  const test = useMutation(trpc.notification.testWebhook.mutationOptions());
  useEffect(() => setUrl(settings.data?.webhookUrl ?? ""), [settings.data?.webhookUrl]);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate({ url: url.trim() });
  };
  return (
    <Card title="Webhook">
      <form onSubmit={submit} className="space-y-3">
        <TextField
          label="Webhook URL"
          type="url"
          placeholder="https://hooks.slack.com/services/…"
          value={url}
          onChange={(e) => setUrl(e.target.value)}
          hint="Slack-compatible JSON (text + blocks) is posted when an approval is waiting. Leave empty to turn it off."
        />
        <div className="flex flex-wrap items-center gap-2">
          <Button type="submit" variant="primary" disabled={save.isPending}>
            Save
          </Button>
          <Button onClick={() => test.mutate()} disabled={test.isPending || !settings.data?.webhookUrl}>
            Send a test message
          </Button>
          {save.isSuccess && <span className="text-xs text-emerald-700">Saved.</span>}
          {test.data && (
            <span role="status" className="text-xs text-stone-600">
              Test delivery: {test.data.status}
            </span>
          )}
        </div>
        <ErrorText error={save.error ?? test.error} />
      </form>
    </Card>
  );
}
