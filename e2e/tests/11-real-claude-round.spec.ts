import { expect, test, type Page } from "@playwright/test";
import { newPerson, signInAsAdmin } from "../support/auth.ts";
import { keepScreenshot } from "../support/screens.ts";
import { startClaudeDouble, type ModelScript } from "../support/claude-double.ts";
import { git } from "../git-state.ts";
import { DEMO_REPO, E2E_BASE_URL } from "../stack.ts";

// A review round of the real Claude Code CLI (the built-in `claude` profile) against the Anthropic double, from
// a phone: changes requested with a line comment, round 2 resumes round 1's conversation (claude --resume with
// the session id round 1 reported), approved, it lands. The double plays one script across both rounds: round 2
// does its part only if its conversation holds round 1's (a new conversation would replay round 1's steps).

test.describe.configure({ mode: "serial" });

const ROUND_ONE_ANSWER = "Round one is done: the notes are written.";
const COMMENT = "Add a second page of notes";

let stamp = "";
let page: Page;
let double: Awaited<ReturnType<typeof startClaudeDouble>> | undefined;

const task = () => `${stamp}-claude-round`;
const branch = () => `agent/claude/${task()}`;
const note = (round: number) => `notes/${stamp}-round-${round}.md`;

function script(): ModelScript {
  return [
    { do: "read", path: "{contextPack}" },
    { do: "write", path: `{cwd}/${note(1)}`, content: `# Round 1 ${stamp}\n` },
    { do: "say", text: ROUND_ONE_ANSWER },
    { do: "write", path: `{cwd}/${note(2)}`, content: `# Round 2 ${stamp}\n` },
    { do: "say", text: "Round two is done." },
  ];
}

/** Whether a request's conversation holds round 1's final answer, as the model's own turn. */
function holdsRoundOne(body: string): boolean {
  const parsed = JSON.parse(body) as { messages?: unknown };
  const messages = Array.isArray(parsed.messages) ? parsed.messages : [];
  return messages.some(
    (item: unknown) => (item as { role?: string }).role === "assistant" && JSON.stringify(item).includes(ROUND_ONE_ANSWER),
  );
}

test.beforeAll(async ({ browser }, testInfo) => {
  test.skip(testInfo.project.name !== "phone", "a real CLI's review round is checked on the phone");
  stamp = `${testInfo.project.name}-${Date.now().toString(36)}`;
  double = await startClaudeDouble(script());
  page = await newPerson(browser, testInfo);
  await signInAsAdmin(page);
});
test.afterAll(async () => {
  await page?.context().close();
  await double?.close();
});

test("request changes on a claude run: round 2 resumes its conversation, approve, and it lands", async ({
  page: _page,
}, testInfo) => {
  const started = await page.request.post("/api/trpc/session.start", {
    headers: { origin: E2E_BASE_URL },
    data: { json: { tasks: [{ agent: "claude", profile: "claude", taskId: task(), prompt: `Write ${note(1)}` }] } },
  });
  expect(started.status()).toBe(200);

  await page.goto("/approvals");
  const card = page.getByRole("article", { name: `Merge request ${branch()}` });
  // Claude Code starting on a busy machine: a generous first wait.
  await expect(card).toBeVisible({ timeout: 90_000 });
  const requestsOfRoundOne = double?.requests.length ?? 0;
  await card.getByRole("button", { name: `Request changes on ${branch()}` }).click();

  const form = page.getByRole("form", { name: `Request changes on ${branch()}` });
  await form.getByRole("button", { name: `Comment on ${note(1)} line 1` }).click();
  await form.getByRole("textbox", { name: `Comment on ${note(1)} line 1` }).fill(COMMENT);
  await form.getByRole("button", { name: "Add comment" }).click();
  await expect(form.getByRole("list", { name: "Line comments" })).toContainText(`${note(1)}:1 ${COMMENT}`);
  await form.getByRole("button", { name: "Send to the agent" }).click();

  // Round 2 ran the real CLI resuming round 1's conversation, and its new head waits for a decision.
  const round2 = page.getByRole("article", { name: `Merge request ${branch()}` }).filter({ hasText: "round 2" });
  await expect(round2).toBeVisible({ timeout: 90_000 });
  // The model saw round 1's conversation (its answer) and the reviewer's comment in one request.
  const roundTwoBodies = (double?.requests ?? []).slice(requestsOfRoundOne).map((request) => request.body);
  expect(roundTwoBodies.some((body) => holdsRoundOne(body) && body.includes(COMMENT))).toBe(true);

  await round2.getByRole("link", { name: "run details" }).click();
  const log = page.getByRole("log", { name: `Log of ${branch()}` });
  await expect(log.getByText("resuming the agent's conversation of the round before")).toBeVisible();
  await expect(log.getByText(/starting agent claude \(profile claude, resuming \S+\)/)).toBeVisible();
  const rounds = page.getByRole("list", { name: "Rounds of this task" });
  await expect(rounds.getByRole("listitem", { name: "Round 1" })).toContainText(COMMENT);
  await keepScreenshot(page, testInfo, "claude-round-2");

  await page.goto("/approvals");
  await round2.getByRole("button", { name: `Approve ${branch()}` }).click();
  const mergeOf = () =>
    git(DEMO_REPO, ["log", "main", "--merges", "--format=%P%x09%s"])
      .split("\n")
      .find((line) => line.endsWith(`\tMerge claude agent results (${task()})`));
  await expect.poll(() => mergeOf()?.split("\t")[0]?.split(" ").length ?? 0, { timeout: 60_000 }).toBe(2);
  // Both rounds' files landed on main through that merge.
  expect(git(DEMO_REPO, ["show", `main:${note(1)}`])).toBe(`# Round 1 ${stamp}`);
  expect(git(DEMO_REPO, ["show", `main:${note(2)}`])).toBe(`# Round 2 ${stamp}`);
});
