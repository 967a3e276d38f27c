import webpush from "web-push";
import { ensureSetting, type Db } from "@grove/db";
import { z } from "zod";

const VapidKeysSchema = z.object({ publicKey: z.string().min(20), privateKey: z.string().min(20) });
export type VapidKeys = z.infer<typeof VapidKeysSchema>;

/** The hub's VAPID key pair: generated on first run, kept in the database so subscriptions survive restarts. */
export async function ensureVapidKeys(db: Db): Promise<VapidKeys> {
  const stored = await ensureSetting(db, "vapid.keys", () => JSON.stringify(webpush.generateVAPIDKeys()));
  return VapidKeysSchema.parse(JSON.parse(stored));
}
