import { APPROVABLE_MERGE_REQUEST_STATES } from "@grove/core";
import { describeTestStatus } from "@grove/core/labels";
import { readSetting, type Db } from "@grove/db";
import { summaryOf } from "../services/result-summary.ts";
import { pushToUsers } from "./push.ts";
import { savePushSubscription, type PushSubscriptionInput } from "./push-subscriptions.ts";
import { ensureVapidKeys, type VapidKeys } from "./vapid.ts";
import { approvalWebhookBody, checkWebhookUrl, postWebhook } from "./webhook.ts";

export const WEBHOOK_SETTING = "webhook.url";

export type Notifier = {
  vapidPublicKey(): Promise<string>;
  /** The webhook URL in effect: the one an admin saved, else GROVE_WEBHOOK_URL. */
  webhookUrl(): Promise<string | null>;
  /** Sends the "approval waiting" notice for every open merge request that has not had one yet. */
  approvalsChanged(): Promise<void>;
  testWebhook(url: string): Promise<string>;
  /** Refuses (INVALID_INPUT) a webhook URL that is not http(s) to a public address. */
  checkWebhookUrl(url: string): Promise<void>;
  /** Registers a browser's push subscription for this user (see savePushSubscription). */
  subscribe(userId: string, subscription: PushSubscriptionInput): Promise<void>;
};

export type NotifierDeps = {
  db: Db;
  vapidSubject: string;
  webhookUrlFromEnv: string | null;
  baseUrl: () => string;
  /** Tests only: push services on loopback (and plain http there). Never set in production. */
  allowLoopbackPush?: boolean;
  /** Where the VAPID key pair is kept (owner-only, in the data dir); null keeps it in the database (tests). */
  vapidKeysFile?: string | null;
  /** A team's shared key pair (GROVE_VAPID_PUBLIC_KEY / _PRIVATE_KEY): used as it is, nothing generated. */
  vapidKeys?: VapidKeys | null;
  /** Tests only: webhook receivers on loopback. Never set in production. */
  allowLoopbackWebhook?: boolean;
};

export function createNotifier(deps: NotifierDeps): Notifier {
  const { db } = deps;
  const pushPolicy = { allowLoopback: deps.allowLoopbackPush === true };
  const webhookPolicy = { allowLoopback: deps.allowLoopbackWebhook === true };
  let queue: Promise<void> = Promise.resolve();
  let vapidKeys: Promise<VapidKeys> | null = null;
  const keys = () =>
    (vapidKeys ??= (deps.vapidKeys ? Promise.resolve(deps.vapidKeys) : ensureVapidKeys(db, deps.vapidKeysFile ?? null)).catch(
      (error: unknown) => {
        vapidKeys = null;
        throw error;
      },
    ));

  async function webhookUrl(): Promise<string | null> {
    return (await readSetting(db, WEBHOOK_SETTING)) ?? deps.webhookUrlFromEnv;
  }

  async function notifyNewApprovals(): Promise<void> {
    const open = await db.mergeRequest.findMany({
      where: { state: { in: [...APPROVABLE_MERGE_REQUEST_STATES] } },
      include: { run: true },
      orderBy: { createdAt: "asc" },
    });
    if (open.length === 0) return;
    const noticed = new Set(
      (await db.approvalNotice.findMany({ where: { mergeRequestId: { in: open.map((mr) => mr.id) } } })).map(
        (n) => n.mergeRequestId,
      ),
    );
    for (const mr of open.filter((m) => !noticed.has(m.id))) {
      // The insert is the claim: another hub process that got there first makes this one skip.
      const claimed = await db.approvalNotice.create({ data: { mergeRequestId: mr.id } }).then(
        () => true,
        () => false,
      );
      if (!claimed) continue;
      const approvers = await db.user.findMany({ where: { role: { in: ["approver", "admin"] } }, select: { id: true } });
      const push = await pushToUsers(
        db,
        { ...(await keys()), subject: deps.vapidSubject },
        pushPolicy,
        approvers.map((u) => u.id),
        {
          title: "Approval waiting",
          body: `${mr.branch} → ${mr.integration}: ${describeTestStatus(mr.run.testStatus)}`,
          url: `/approvals#${mr.id}`,
          tag: `mr-${mr.id}`,
        },
      );
      const url = await webhookUrl();
      const webhookStatus = url
        ? await postWebhook(
            url,
            approvalWebhookBody({
              branch: mr.branch,
              integration: mr.integration,
              agent: mr.run.agent,
              summary: summaryOf(mr.run.result),
              tests: mr.run.testStatus,
              diffStat: mr.run.diffStat,
              url: `${deps.baseUrl()}/approvals#${mr.id}`,
            }),
            "approval.waiting",
            webhookPolicy,
          )
        : null;
      await db.approvalNotice.update({
        where: { mergeRequestId: mr.id },
        data: { pushSent: push.sent, pushFailed: push.failed, webhookStatus },
      });
    }
  }

  return {
    vapidPublicKey: async () => (await keys()).publicKey,
    webhookUrl,
    approvalsChanged() {
      // One pass at a time: a burst of changes must not notify the same request twice.
      queue = queue.then(notifyNewApprovals).catch((error: unknown) => console.error("approval notification failed:", error));
      return queue;
    },
    testWebhook: (url) =>
      postWebhook(url, { text: "grove: webhook test — approvals waiting will be posted here." }, "webhook.test", webhookPolicy),
    checkWebhookUrl: async (url) => void (await checkWebhookUrl(url, webhookPolicy)),
    subscribe: (userId, subscription) => savePushSubscription(db, pushPolicy, userId, subscription),
  };
}
