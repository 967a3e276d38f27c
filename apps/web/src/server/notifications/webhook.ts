import { DomainError } from "@grove/core";
import { requestPinned } from "./pinned-request.ts";
import { checkPublicTarget, type PinnedEndpoint } from "./public-target.ts";

export const MAX_WEBHOOK_URL_BYTES = 2_000;

/** `allowLoopback` is for tests with a local receiver; a webhook may be plain http to a public address. */
export type WebhookPolicy = { allowLoopback: boolean };

/**
 * A webhook URL: http(s) to a public address only, so that whoever may set it cannot make the hub post to
 * itself, its cloud's metadata service or the private network (checked when saved and before each post).
 */
export function checkWebhookUrl(url: string, policy: WebhookPolicy): Promise<PinnedEndpoint> {
  return checkPublicTarget(url, MAX_WEBHOOK_URL_BYTES, { allowLoopback: policy.allowLoopback, allowPlainHttp: true }, (why) => {
    throw new DomainError("INVALID_INPUT", `The webhook URL ${why}; grove posts webhooks only to public addresses.`);
  });
}

export type ApprovalSummary = {
  branch: string;
  integration: string;
  agent: string;
  summary: string | null;
  tests: string | null;
  diffStat: string | null;
  url: string;
};

/** A Slack-compatible incoming-webhook body (`text` + Block Kit), which Mattermost, Rocket.Chat and Discord's /slack accept too. */
export function approvalWebhookBody(a: ApprovalSummary): { text: string; blocks: unknown[] } {
  const text = `Approval waiting: ${a.branch} → ${a.integration} (${a.agent}, tests ${a.tests ?? "not run"})`;
  const lastStatLine = a.diffStat?.trim().split("\n").at(-1)?.trim();
  return {
    text,
    blocks: [
      {
        type: "section",
        text: { type: "mrkdwn", text: `*Approval waiting* · \`${a.branch}\` → \`${a.integration}\`\n${a.summary ?? ""}` },
      },
      {
        type: "context",
        elements: [
          { type: "mrkdwn", text: `agent ${a.agent} · tests ${a.tests ?? "not run"}${lastStatLine ? ` · ${lastStatLine}` : ""}` },
        ],
      },
      { type: "actions", elements: [{ type: "button", text: { type: "plain_text", text: "Review" }, url: a.url }] },
    ],
  };
}

/**
 * POSTs JSON to the address the check resolved (no redirects followed); the outcome is a short status for
 * the admin to read ("200", "refused: …", "error: …"), never a throw.
 */
export async function postWebhook(url: string, body: unknown, event: string, policy: WebhookPolicy): Promise<string> {
  let target: PinnedEndpoint;
  try {
    target = await checkWebhookUrl(url, policy);
  } catch (error) {
    return `refused: ${error instanceof Error ? error.message : String(error)}`;
  }
  try {
    const headers = { "content-type": "application/json", "user-agent": "grove-hub", "x-grove-event": event };
    return String(await requestPinned(target, "POST", headers, Buffer.from(JSON.stringify(body))));
  } catch (error) {
    return `error: ${error instanceof Error ? error.message : String(error)}`;
  }
}
