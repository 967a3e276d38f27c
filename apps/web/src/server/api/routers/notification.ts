import { appendAuditEvent, deleteSetting, writeSetting } from "@grove/db";
import { z } from "zod";
import { WEBHOOK_SETTING } from "../../notifications/notifier.ts";
import { protectedProcedure, roleProcedure, router } from "../trpc.ts";

const Subscription = z.object({
  endpoint: z.url().max(2000),
  keys: z.object({ p256dh: z.string().min(40).max(200), auth: z.string().min(10).max(100) }),
});

export const notificationRouter = router({
  /** What the settings page shows: the VAPID key to subscribe with, this user's devices, and (admins) the webhook. */
  settings: protectedProcedure.query(async ({ ctx }) => {
    const [publicKey, devices, webhookUrl] = await Promise.all([
      ctx.notifier.vapidPublicKey(),
      ctx.db.pushSubscription.findMany({ where: { userId: ctx.user.id }, select: { id: true, endpoint: true, userAgent: true, createdAt: true, lastSuccessAt: true } }),
      ctx.user.role === "admin" ? ctx.notifier.webhookUrl() : Promise.resolve(null),
    ]);
    return { vapidPublicKey: publicKey, devices, webhookUrl, canReceivePush: ctx.user.role !== "viewer" };
  }),

  subscribe: protectedProcedure
    .input(z.object({ subscription: Subscription, userAgent: z.string().max(300).optional() }))
    .mutation(async ({ ctx, input }) => {
      const { endpoint, keys } = input.subscription;
      // An endpoint belongs to one browser; re-subscribing moves it to whoever is signed in there now.
      await ctx.db.pushSubscription.upsert({
        where: { endpoint },
        create: { endpoint, p256dh: keys.p256dh, auth: keys.auth, userId: ctx.user.id, userAgent: input.userAgent ?? null },
        update: { p256dh: keys.p256dh, auth: keys.auth, userId: ctx.user.id, userAgent: input.userAgent ?? null, failures: 0 },
      });
      return { ok: true };
    }),

  unsubscribe: protectedProcedure.input(z.object({ endpoint: z.string().max(2000) })).mutation(async ({ ctx, input }) => {
    await ctx.db.pushSubscription.deleteMany({ where: { endpoint: input.endpoint, userId: ctx.user.id } });
    return { ok: true };
  }),

  setWebhook: roleProcedure("admin")
    .input(z.object({ url: z.union([z.url({ protocol: /^https?$/ }).max(2000), z.literal("")]) }))
    .mutation(async ({ ctx, input }) => {
      if (input.url) await writeSetting(ctx.db, WEBHOOK_SETTING, input.url);
      else await deleteSetting(ctx.db, WEBHOOK_SETTING);
      await appendAuditEvent(ctx.db, { actorType: "user", actorId: ctx.user.email, action: "webhook.configured", subject: input.url ? new URL(input.url).host : "(none)" });
      return { ok: true };
    }),

  testWebhook: roleProcedure("admin").mutation(async ({ ctx }) => {
    const url = await ctx.notifier.webhookUrl();
    if (!url) return { status: "no webhook configured" };
    return { status: await ctx.notifier.testWebhook(url) };
  }),
});
