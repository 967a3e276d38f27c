import webpush from "web-push";
import type { Db } from "@grove/db";
import { requestPinned } from "./pinned-request.ts";
import { checkPushEndpoint, type PushEndpointPolicy } from "./push-endpoint.ts";
import type { VapidKeys } from "./vapid.ts";

export type PushMessage = { title: string; body: string; url: string; tag: string };
const MAX_FAILURES = 5;

/**
 * Sends one encrypted Web Push message (web-push does VAPID signing and aes128gcm encryption) to every
 * subscription of the given users. Subscriptions the push service calls gone (404/410), or that kept
 * failing (an endpoint that now resolves to a private address included), are dropped.
 */
export async function pushToUsers(
  db: Db,
  vapid: VapidKeys & { subject: string },
  policy: PushEndpointPolicy,
  userIds: string[],
  message: PushMessage,
): Promise<{ sent: number; failed: number }> {
  const subscriptions = await db.pushSubscription.findMany({ where: { userId: { in: userIds } } });
  let sent = 0;
  let failed = 0;
  await Promise.all(
    subscriptions.map(async (sub) => {
      const ok = await deliver(sub, vapid, policy, message).catch(() => 0);
      if (ok >= 200 && ok < 300) {
        sent += 1;
        await db.pushSubscription.update({ where: { id: sub.id }, data: { failures: 0, lastSuccessAt: new Date() } });
        return;
      }
      failed += 1;
      if (ok === 404 || ok === 410 || sub.failures + 1 >= MAX_FAILURES)
        await db.pushSubscription.deleteMany({ where: { id: sub.id } });
      else await db.pushSubscription.update({ where: { id: sub.id }, data: { failures: { increment: 1 } } });
    }),
  );
  return { sent, failed };
}

/** web-push builds the request; it goes to the address the endpoint check resolved, and only there. */
async function deliver(
  sub: { endpoint: string; p256dh: string; auth: string },
  vapid: VapidKeys & { subject: string },
  policy: PushEndpointPolicy,
  message: PushMessage,
): Promise<number> {
  const target = await checkPushEndpoint(sub.endpoint, policy);
  const request = webpush.generateRequestDetails(
    { endpoint: sub.endpoint, keys: { p256dh: sub.p256dh, auth: sub.auth } },
    JSON.stringify(message),
    {
      vapidDetails: { subject: vapid.subject, publicKey: vapid.publicKey, privateKey: vapid.privateKey },
      TTL: 6 * 3600,
      urgency: "high",
      topic: message.tag.replace(/[^A-Za-z0-9_-]/g, "").slice(0, 32),
    },
  );
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) headers[name] = String(value);
  return requestPinned(target, request.method, headers, request.body ?? null);
}
