import http, { type IncomingMessage } from "node:http";
import https from "node:https";
import { isIP, type LookupFunction } from "node:net";
import webpush from "web-push";
import type { Db } from "@grove/db";
import { checkPushEndpoint, type PinnedEndpoint, type PushEndpointPolicy } from "./push-endpoint.ts";
import type { VapidKeys } from "./vapid.ts";

export type PushMessage = { title: string; body: string; url: string; tag: string };
const MAX_FAILURES = 5;
const PUSH_TIMEOUT_MS = 10_000;

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
  return postPinned(target, request.method, headers, request.body ?? null);
}

/** One request over a fresh connection to the checked address; the URL's name still goes out as SNI and Host. */
function postPinned(
  target: PinnedEndpoint,
  method: string,
  headers: Record<string, string>,
  body: Buffer | null,
): Promise<number> {
  const { url, host, address, family } = target;
  const pinned: LookupFunction = (_name, options, callback) => {
    if (options.all) callback(null, [{ address, family }]);
    else callback(null, address, family);
  };
  const options: https.RequestOptions = {
    hostname: host,
    port: url.port || undefined,
    path: `${url.pathname}${url.search}`,
    method,
    headers,
    lookup: pinned,
    agent: false,
    signal: AbortSignal.timeout(PUSH_TIMEOUT_MS),
  };
  return new Promise<number>((resolve, reject) => {
    const onResponse = (response: IncomingMessage) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    };
    const req =
      url.protocol === "https:"
        ? https.request({ ...options, servername: isIP(host) ? undefined : host }, onResponse)
        : http.request(options, onResponse);
    req.on("error", reject);
    req.end(body ?? undefined);
  });
}
