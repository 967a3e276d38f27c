"use client";
import { useEffect, useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { currentSubscription, isPushSupported, subscribeToPush } from "../../lib/push-client.ts";
import { useTRPC } from "../../lib/trpc.ts";
import { Card } from "../card.tsx";
import { Button } from "../ui/button.tsx";
import { Empty, ErrorText } from "../ui/feedback.tsx";
import { RelativeTime } from "../ui/time.tsx";

/** Web Push on this device: approvers get "Approval waiting" on their phone's lock screen. */
export function PushSettings() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const settings = useQuery(trpc.notification.settings.queryOptions());
  const [endpoint, setEndpoint] = useState<string | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const refresh = () => void queryClient.invalidateQueries({ queryKey: trpc.notification.settings.queryKey() });
  const save = useMutation(trpc.notification.subscribe.mutationOptions({ onSettled: refresh }));
  const drop = useMutation(trpc.notification.unsubscribe.mutationOptions({ onSettled: refresh }));

  useEffect(() => {
    void currentSubscription().then((s) => setEndpoint(s?.endpoint ?? null));
  }, []);

  const turnOn = async () => {
    setError(null);
    try {
      const subscription = await subscribeToPush(settings.data?.vapidPublicKey ?? "");
      await save.mutateAsync({ subscription, userAgent: navigator.userAgent.slice(0, 300) });
      setEndpoint(subscription.endpoint);
    } catch (e) {
      setError(e instanceof Error ? e : new Error(String(e)));
    }
  };
  const turnOff = async () => {
    const subscription = await currentSubscription();
    await subscription?.unsubscribe();
    if (endpoint) await drop.mutateAsync({ endpoint });
    setEndpoint(null);
  };

  return (
    <Card title="Notifications on this device">
      {!settings.data?.canReceivePush && <Empty>Viewers are not notified of approvals; an admin can make you an approver.</Empty>}
      {settings.data?.canReceivePush && !isPushSupported() && (
        <Empty>This browser cannot receive push notifications. On iPhone, add grove to the home screen first.</Empty>
      )}
      {settings.data?.canReceivePush && isPushSupported() && (
        <div className="flex flex-wrap items-center gap-2">
          {endpoint ? (
            <>
              <span className="text-sm text-emerald-700 dark:text-emerald-400">
                ✓ This device is notified when an approval is waiting.
              </span>
              <Button size="sm" onClick={() => void turnOff()}>
                Turn off
              </Button>
            </>
          ) : (
            <Button variant="primary" onClick={() => void turnOn()}>
              Notify me on this device
            </Button>
          )}
        </div>
      )}
      <ErrorText error={error} />
      {(settings.data?.devices.length ?? 0) > 0 && (
        <>
          <h3 className="mb-1 mt-4 text-sm font-semibold">Your subscribed devices</h3>
          <ul className="space-y-1 text-xs text-stone-500">
            {settings.data?.devices.map((d) => (
              <li key={d.id} className="truncate">
                {d.userAgent ?? new URL(d.endpoint).host} · added <RelativeTime date={d.createdAt} /> · last delivered{" "}
                <RelativeTime date={d.lastSuccessAt} />
              </li>
            ))}
          </ul>
        </>
      )}
    </Card>
  );
}
