import { expect, test, type Page } from "@playwright/test";
import { newPerson, signInAsAdmin } from "../support/auth.ts";
import { keepScreenshot } from "../support/screens.ts";
import { findMergeCommit, git } from "../git-state.ts";
import { DEMO_REPO, E2E_BASE_URL } from "../stack.ts";

// Review rounds from a phone: request changes with a line comment, round 2 runs, approve, it lands.
test.describe.configure({ mode: "serial" });

let page: Page;
let taskId = "";
const branch = () => `agent/demo/${taskId}`;

test.beforeAll(async ({ browser }, testInfo) => {
  test.skip(testInfo.project.name !== "phone", "review rounds are checked on the phone");
  taskId = `rounds-${Date.now().toString(36)}`;
  page = await newPerson(browser, testInfo);
  await signInAsAdmin(page);
});
test.afterAll(async () => {
  await page?.context().close();
});

test("request changes with a line comment, round 2 runs with it, approve, and it lands", async ({ page: _page }, testInfo) => {
  const started = await page.request.post("/api/trpc/session.start", {
    headers: { origin: E2E_BASE_URL },
    data: { json: { tasks: [{ agent: "demo", taskId, prompt: "Write a greeting lines=2" }] } },
  });
  expect(started.status()).toBe(200);

  await page.goto("/approvals");
  const card = page.getByRole("article", { name: `Merge request ${branch()}` });
  await expect(card).toBeVisible({ timeout: 60_000 });
  await card.getByRole("button", { name: `Request changes on ${branch()}` }).click();

  const form = page.getByRole("form", { name: `Request changes on ${branch()}` });
  const file = `notes/${taskId}.md`;
  await form.getByRole("button", { name: `Comment on ${file} line 1` }).click();
  await form.getByRole("textbox", { name: `Comment on ${file} line 1` }).fill("Use a friendlier title");
  await form.getByRole("button", { name: "Add comment" }).click();
  await expect(form.getByRole("list", { name: "Line comments" })).toContainText(`${file}:1 Use a friendlier title`);
  await form.getByLabel("What should the agent change?").fill("Also greet in French");
  await keepScreenshot(page, testInfo, "request-changes");
  await form.getByRole("button", { name: "Send to the agent" }).click();

  // Round 2 runs on the same branch and its new head waits for a decision.
  const round2 = page.getByRole("article", { name: `Merge request ${branch()}` }).filter({ hasText: "round 2" });
  await expect(round2).toBeVisible({ timeout: 60_000 });
  await round2.getByRole("link", { name: "run details" }).click();
  const rounds = page.getByRole("list", { name: "Rounds of this task" });
  await expect(rounds.getByRole("listitem", { name: "Round 1" })).toContainText("superseded by a later round");
  await expect(rounds.getByRole("listitem", { name: "Round 1" })).toContainText("Use a friendlier title");
  await expect(rounds.getByRole("listitem", { name: "Round 2" })).toContainText("changes requested");
  await rounds.getByRole("listitem", { name: "Round 2" }).getByText("Prompt").click();
  await expect(rounds.getByRole("listitem", { name: "Round 2" })).toContainText(`${file}:1:`);
  await keepScreenshot(page, testInfo, "rounds");

  await page.goto("/approvals");
  await round2.getByRole("button", { name: `Approve ${branch()}` }).click();
  await expect.poll(() => findMergeCommit(DEMO_REPO, taskId)?.parents.length ?? 0, { timeout: 60_000 }).toBe(2);
  // Both rounds' commits landed; the queue's last stage cleans the branch up.
  expect(git(DEMO_REPO, ["log", "main", "--format=%s", "-n", "10"]).match(new RegExp(`demo\\(${taskId}\\)`, "g"))).toHaveLength(
    2,
  );
  await expect.poll(() => git(DEMO_REPO, ["branch", "--list", branch()]), { timeout: 30_000 }).toBe("");
});
