"use client";
import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "../../lib/trpc.ts";
import { AccountSettings } from "../../components/settings/account-settings.tsx";
import { ThemeSwitch } from "../../components/settings/theme-switch.tsx";
import { PushSettings } from "../../components/settings/push-settings.tsx";
import { WebhookSettings } from "../../components/settings/webhook-settings.tsx";
import { PageHeader } from "../../components/ui/feedback.tsx";

export default function SettingsPage() {
  const trpc = useTRPC();
  const me = useQuery(trpc.auth.me.queryOptions());
  return (
    <div className="space-y-4">
      <PageHeader title="Settings" description={me.data ? `Signed in as ${me.data.email} (${me.data.role}).` : undefined} />
      <div className="grid gap-4 lg:grid-cols-2">
        <AccountSettings />
        <div className="space-y-4">
          <ThemeSwitch />
          <PushSettings />
        </div>
        {me.data?.role === "admin" && <WebhookSettings />}
      </div>
    </div>
  );
}
