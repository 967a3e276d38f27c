import webpush from "web-push";
import { ensureSetting, eraseSetting, readSetting, type Db } from "@grove/db";
import { z } from "zod";
import { createSecretFile, readSecretFile } from "../auth/secret-file.ts";

const VapidKeysSchema = z.object({ publicKey: z.string().min(20), privateKey: z.string().min(20) });
export type VapidKeys = z.infer<typeof VapidKeysSchema>;
/** Where an older grove kept the key pair; moved to the file at start. */
export const LEGACY_VAPID_SETTING = "vapid.keys";

/**
 * The hub's VAPID key pair, generated on first run and kept so subscriptions survive restarts. With `file`
 * (owner-only, in the data dir: production) the pair lives there and not in the database, so a copy of the
 * database cannot sign pushes as this hub; a pair an older grove kept in the database is moved there. Without
 * a file (tests), in the database.
 */
export async function ensureVapidKeys(db: Db, file: string | null): Promise<VapidKeys> {
  const generate = () => JSON.stringify(webpush.generateVAPIDKeys());
  if (!file) return VapidKeysSchema.parse(JSON.parse(await ensureSetting(db, LEGACY_VAPID_SETTING, generate)));
  const stored =
    (await readSecretFile(file)) ?? (await createSecretFile(file, (await readSetting(db, LEGACY_VAPID_SETTING)) ?? generate()));
  await eraseSetting(db, LEGACY_VAPID_SETTING);
  return VapidKeysSchema.parse(JSON.parse(stored));
}
