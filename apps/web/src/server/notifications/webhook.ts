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

/** POSTs JSON; the outcome is a short status for the admin to read ("200", "error: …"), never a throw. */
export async function postWebhook(url: string, body: unknown, event: string): Promise<string> {
  try {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", "user-agent": "grove-hub", "x-grove-event": event },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
    return String(response.status);
  } catch (error) {
    return `error: ${error instanceof Error ? error.message : String(error)}`;
  }
}
