import { appendAuditEvent, deleteSetting, writeSetting } from "@grove/db";
import { z } from "zod";
import { WEBHOOK_SETTING } from "../../notifications/notifier.ts";
import { MAX_PUSH_ENDPOINT_BYTES } from "../../notifications/push-endpoint.ts";
import { protectedProcedure, roleProcedure, router } from "../trpc.ts";

// Keys are base64url (one byte a character); the endpoint and the user agent are bounded in bytes.
const base64url = /^[A-Za-z0-9_-]+={0,2}$/;
const maxBytes = (bytes: number) => (text: string) => Buffer.byteLength(text) <= bytes;
const Subscription = z.object({
  endpoint: z
    .string()
    .max(MAX_PUSH_ENDPOINT_BYTES)
    .refine(maxBytes(MAX_PUSH_ENDPOINT_BYTES), `at most ${MAX_PUSH_ENDPOINT_BYTES} bytes`),
  keys: z.object({ p256dh: z.string().min(40).max(200).regex(base64url), auth: z.string().min(10).max(100).regex(base64url) }),
});

export const notificationRouter = router({
  /** What the settings page shows: the VAPID key to subscribe with, this user's devices, and (admins) the webhook. */
  settings: protectedProcedure.query(async ({ ctx }) => {
    const [publicKey, devices, webhookUrl] = await Promise.all([
      ctx.notifier.vapidPublicKey(),
      ctx.db.pushSubscription.findMany({
        where: { userId: ctx.user.id },
        select: { id: true, endpoint: true, userAgent: true, createdAt: true, lastSuccessAt: true },
      }),
      ctx.user.role === "admin" ? ctx.notifier.webhookUrl() : Promise.resolve(null),
    ]);
    return { vapidPublicKey: publicKey, devices, webhookUrl, canReceivePush: ctx.user.role !== "viewer" };
  }),

  subscribe: protectedProcedure
    .input(
      z.object({
        subscription: Subscription,
        userAgent: z.string().max(300).refine(maxBytes(300), "at most 300 bytes").optional(),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      await ctx.notifier.subscribe(ctx.user.id, { ...input.subscription, userAgent: input.userAgent ?? null });
      return { ok: true };
    }),

  unsubscribe: protectedProcedure.input(z.object({ endpoint: z.string().max(2000) })).mutation(async ({ ctx, input }) => {
    await ctx.db.pushSubscription.deleteMany({ where: { endpoint: input.endpoint, userId: ctx.user.id } });
    return { ok: true };
  }),

  setWebhook: roleProcedure("admin")
    .input(z.object({ url: z.union([z.url({ protocol: /^https?$/ }).max(2000), z.literal("")]) }))
    .mutation(async ({ ctx, input }) => {
      if (input.url) await ctx.notifier.checkWebhookUrl(input.url);
      if (input.url) await writeSetting(ctx.db, WEBHOOK_SETTING, input.url);
      else await deleteSetting(ctx.db, WEBHOOK_SETTING);
      await appendAuditEvent(ctx.db, {
        actorType: "user",
        actorId: ctx.user.email,
        action: "webhook.configured",
        subject: input.url ? new URL(input.url).host : "(none)",
      });
      return { ok: true };
    }),

  testWebhook: roleProcedure("admin").mutation(async ({ ctx }) => {
    const url = await ctx.notifier.webhookUrl();
    if (!url) return { status: "no webhook configured" };
    return { status: await ctx.notifier.testWebhook(url) };
  }),
});
