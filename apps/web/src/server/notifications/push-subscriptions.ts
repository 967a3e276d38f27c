import { DomainError } from "@grove/core";
import type { Db } from "@grove/db";
import { checkPushEndpoint, type PushEndpointPolicy } from "./push-endpoint.ts";

export type PushSubscriptionInput = { endpoint: string; keys: { p256dh: string; auth: string }; userAgent: string | null };

/**
 * Saves a browser's push subscription for the signed-in user. An endpoint belongs to the user who
 * registered it: the same user may renew its keys, anyone else is refused and the owner's row is left
 * exactly as it was (a viewer cannot take over, or break, an approver's notifications).
 */
export async function savePushSubscription(
  db: Db,
  policy: PushEndpointPolicy,
  userId: string,
  input: PushSubscriptionInput,
): Promise<void> {
  await checkPushEndpoint(input.endpoint, policy);
  const { endpoint, keys, userAgent } = input;
  const fields = { p256dh: keys.p256dh, auth: keys.auth, userAgent, failures: 0 };
  const renewed = await db.pushSubscription.updateMany({ where: { endpoint, userId }, data: fields });
  if (renewed.count > 0) return;
  try {
    await db.pushSubscription.create({ data: { endpoint, userId, ...fields } });
  } catch (error) {
    // The endpoint is unique: the insert lost to a row that was already there, or just got there.
    const owner = await db.pushSubscription.findUnique({ where: { endpoint }, select: { userId: true } });
    if (!owner) throw error;
    if (owner.userId === userId) return;
    throw new DomainError(
      "FORBIDDEN",
      "This browser's notifications are registered to another grove user and stay theirs. Sign in as them and turn notifications off first, or use another browser profile.",
    );
  }
}
