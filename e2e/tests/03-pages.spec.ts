import { expect, test } from "@playwright/test";
import { signInAsAdmin } from "../support/auth.ts";
import { keepScreenshot } from "../support/screens.ts";

test.describe.configure({ mode: "serial" });

test("a run page keeps a long log responsive: virtual rows, search, follow, diff, result and tests", async ({
  page,
}, testInfo) => {
  const taskId = `${testInfo.project.name}-flood-${Date.now().toString(36)}`;
  // The pages' Content-Security-Policy must not block anything the dashboard itself does.
  const violations: string[] = [];
  page.on("console", (message) => {
    if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
  });
  await signInAsAdmin(page);
  const start = await page.goto("/sessions/new");
  expect(start?.headers()["content-security-policy"]).toMatch(/script-src 'self' 'nonce-[^']+'; .*frame-ancestors 'none'/);
  const form = page.getByRole("region", { name: "Start a session" });
  const row = form.getByRole("group", { name: "Task 1" });
  await row.getByLabel("Task id (optional)").fill(taskId);
  await row.getByLabel("Prompt").fill("Flood the log lines=2 delay=0 flood=20000 hostile");
  await form.getByRole("button", { name: "Start session" }).click();
  await expect(page).toHaveURL(/\/sessions\//);
  await page
    .getByRole("region", { name: `agent/demo/${taskId}` })
    .getByRole("link", { name: "Open run" })
    .click();

  const log = page.getByRole("log", { name: `Log of agent/demo/${taskId}` });
  await expect(log.getByText("flood line 20000 of 20000")).toBeVisible({ timeout: 60_000 });
  await expect(page.getByRole("region", { name: "Run" }).getByText("run succeeded")).toBeVisible({ timeout: 60_000 });
  // The agent printed an unterminated OSC 8 link and a cut-off CSI: they blank no later row, eat no character.
  await expect(log.getByText("after the hostile escapes", { exact: true })).toBeVisible();
  await expect(log.getByText("run succeeded", { exact: true })).toBeVisible();
  await expect(log.getByText("progress 99%", { exact: true })).toBeVisible();
  // Only what is on screen is in the page, however long the log.
  expect(await log.locator("[data-seq]").count()).toBeLessThan(150);

  await page.getByRole("searchbox", { name: "Search the log" }).fill("flood line 1234 of");
  await page.getByRole("searchbox", { name: "Search the log" }).press("Enter");
  await expect(page.getByRole("status").filter({ hasText: "matches" })).toHaveText("1 of 1 matches");
  await expect(log.getByText("flood line 1234 of 20000")).toBeVisible();
  await expect(page.getByRole("button", { name: "Follow" })).toHaveAttribute("aria-pressed", "false");
  await expect(page.getByRole("region", { name: /^Line \d+$/ })).toContainText("flood line 1234 of 20000");
  await keepScreenshot(page, testInfo, "run-log");
  await page.getByRole("button", { name: "Follow" }).click();
  await expect(log.getByText("flood line 20000 of 20000")).toBeVisible();

  await page.getByRole("tab", { name: "Diff" }).click();
  await expect(page.getByLabel("Diff stat")).toContainText(`notes/${taskId}.md`);
  await expect(page.getByText(`+# ${taskId}`)).toBeVisible();
  // The hostile agent's note holds "++ not a file header": an added line, not a header to skip.
  await expect(page.getByText("+++ not a file header", { exact: true })).toBeVisible();
  await keepScreenshot(page, testInfo, "run-diff");
  await page.getByRole("tab", { name: "Result" }).click();
  await expect(page.getByText(`How ${taskId} was done`)).toBeVisible();
  await page.getByRole("tab", { name: "Tests" }).click();
  await expect(page.getByRole("tabpanel").getByText("tests passed")).toBeVisible();
  expect(violations).toEqual([]);
});

test("the overview, brain, health, admin and settings pages render for an admin", async ({ page }, testInfo) => {
  await signInAsAdmin(page);
  await expect(page.getByRole("region", { name: "Runners" }).getByText("online")).toBeVisible();
  for (const region of ["Approvals waiting", "Live sessions", "Merge queue", "Recent sessions"])
    await expect(page.getByRole("region", { name: region })).toBeVisible();
  await keepScreenshot(page, testInfo, "overview");

  await page.getByRole("link", { name: "Brain" }).click();
  await expect(page.getByRole("link", { name: "project-brain/README.md" })).toBeVisible();
  // The team flow's merge deposited its learnings; each file names the run it came from.
  const learning = page
    .getByRole("listitem")
    .filter({ has: page.getByRole("link", { name: /^project-brain\/LEARN-\d{3}-how-.*-keep-was-done\.md$/ }) })
    .first();
  await expect(learning.getByRole("link", { name: /^agent\/demo\/.*-keep$/ })).toBeVisible();
  await keepScreenshot(page, testInfo, "brain");
  await page.getByRole("link", { name: "project-brain/README.md" }).click();
  await expect(page.getByRole("region", { name: "History" })).toBeVisible();
  await expect(page.getByRole("region", { name: "Content" })).toContainText("project brain");

  await page.getByRole("link", { name: "Health" }).click();
  await expect(page.getByRole("region", { name: /demo-repo on / })).toBeVisible();
  await keepScreenshot(page, testInfo, "health");

  await page.getByRole("link", { name: "Admin" }).click();
  const runners = page.getByRole("region", { name: "Runners" });
  const name = `spare ${testInfo.project.name}`;
  await runners.getByLabel("New runner name").fill(name);
  await runners.getByRole("button", { name: "Create token" }).click();
  await expect(runners.getByRole("textbox", { name: `Runner token for ${name}` })).toHaveValue(/.{40,}/);
  page.once("dialog", (dialog) => void dialog.accept());
  await runners.getByRole("button", { name: `Revoke ${name}` }).click();
  await expect(runners.getByRole("listitem").filter({ hasText: name }).getByText("revoked")).toBeVisible();

  await page.getByRole("link", { name: "Settings" }).click();
  await expect(page.getByRole("region", { name: "Notifications on this device" })).toBeVisible();
  await expect(page.getByRole("region", { name: "Webhook" })).toBeVisible();
  await keepScreenshot(page, testInfo, "settings");

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page.getByRole("heading", { name: "Sign in to grove" })).toBeVisible();
  await keepScreenshot(page, testInfo, "login");
});

test("the app is installable: manifest with icons, and a service worker", async ({ page, request }) => {
  const manifest = await request.get("/manifest.webmanifest");
  expect(manifest.ok()).toBe(true);
  const body: unknown = await manifest.json();
  expect(body).toMatchObject({
    display: "standalone",
    icons: expect.arrayContaining([expect.objectContaining({ sizes: "512x512" })]),
  });
  for (const icon of ["/icons/icon-192.png", "/icons/icon-512.png", "/sw.js"])
    expect((await request.get(icon)).ok(), icon).toBe(true);
  await signInAsAdmin(page);
  await expect.poll(() => page.evaluate<boolean>("navigator.serviceWorker.getRegistration().then((r) => Boolean(r))")).toBe(true);
});
