import { existsSync, writeFileSync } from "node:fs";
import path from "node:path";
import { expect, test, type Locator, type Page } from "@playwright/test";
import { acceptInvite, invite, signInAsAdmin } from "../support/auth.ts";
import { keepScreenshot } from "../support/screens.ts";
import { git } from "../git-state.ts";
import { DEMO_REPO } from "../stack.ts";

const HOSTILE_FILE = "project-brain/HOSTILE-phone.md";
const HOSTILE_MARKDOWN = [
  "# Hostile note",
  "",
  "<script>window.__pwned = 'script'</script>",
  "",
  '<img src="x" onerror="window.__pwned = \'img\'">',
  "",
  "[click me](javascript:window.__pwned='link')",
  "",
  "[tab in scheme](<java\tscript:window.__pwned='tab'>)",
  "",
  "[safe link](https://example.com/)",
  "",
  "Inline `<b>code</b>` and &lt;script&gt; as an entity.",
  "",
].join("\n");

test.beforeEach(({ page: _page }, testInfo) => {
  test.skip(testInfo.project.name !== "phone", "what a 390 × 844 phone shows");
});

/** The element lies inside the viewport and shows all of its own content (nothing cut off). */
async function expectWhollyOnScreen(locator: Locator, page: Page): Promise<void> {
  await expect(locator).toBeVisible();
  const box = await locator.boundingBox();
  const width = page.viewportSize()?.width ?? 0;
  expect(box, await locator.innerText()).not.toBeNull();
  expect(box?.x ?? -1).toBeGreaterThanOrEqual(0);
  expect((box?.x ?? 0) + (box?.width ?? 0)).toBeLessThanOrEqual(width);
  expect(await locator.evaluate((el: { scrollWidth: number; clientWidth: number }) => el.scrollWidth <= el.clientWidth)).toBe(
    true,
  );
}

test("the audit rows are cards that show action, branch, SHA and chain on a phone", async ({ page }, testInfo) => {
  await signInAsAdmin(page);
  const taskId = `phone-audit-${Date.now().toString(36)}`;
  await page.goto("/sessions/new");
  const form = page.getByRole("region", { name: "Start a session" });
  await expect(form.getByLabel("Runner")).toHaveValue(/.+/);
  await form.getByLabel("Task id (optional)").fill(taskId);
  await form.getByLabel("Prompt").fill("Write release notes lines=3 delay=50");
  await form.getByRole("button", { name: "Start session" }).click();
  await expect(page).toHaveURL(/\/sessions\/session-/);

  await page.goto("/audit");
  await page.getByLabel("Branch").fill(`agent/demo/${taskId}`);
  const withSha = page
    .getByRole("row")
    .filter({ has: page.locator('td[data-label="SHA"]', { hasText: /[0-9a-f]{10}/ }) })
    .first();
  for (const column of ["Action", "Branch", "SHA", "Chain"])
    await expectWhollyOnScreen(withSha.locator(`td[data-label="${column}"]`), page);
  // Each line of the card is headed by its column's name.
  await expect(withSha.locator('td[data-label="Branch"]')).toHaveText(`Branchagent/demo/${taskId}`);
  await expect(withSha.locator('td[data-label="SHA"]')).toHaveText(/^SHA[0-9a-f]{10}$/);
  await expect(withSha.getByRole("cell", { name: `agent/demo/${taskId}`, exact: true })).toBeVisible();
  await expect(withSha.getByLabel("linked", { exact: true })).toBeVisible();
  expect(await page.evaluate<number>("document.documentElement.scrollWidth - document.documentElement.clientWidth")).toBe(0);
  await keepScreenshot(page, testInfo, "audit-cards");
});

test("every navigation label is whole and in reach without scrolling sideways", async ({ page }, testInfo) => {
  await signInAsAdmin(page);
  const nav = page.getByRole("navigation", { name: "Main" });
  const labels = ["Overview", "Approvals", "Sessions", "Audit", "Brain", "Health", "Admin", "Settings"];
  await expect(nav.getByRole("link")).toHaveCount(labels.length);
  for (const label of labels) await expectWhollyOnScreen(nav.getByRole("link", { name: new RegExp(`^${label}`) }), page);
  expect(await nav.evaluate((el: { scrollWidth: number; clientWidth: number }) => el.scrollWidth <= el.clientWidth)).toBe(true);
  await keepScreenshot(page, testInfo, "nav-wrapped");
  await nav.getByRole("link", { name: "Settings" }).click();
  await expect(page.getByRole("heading", { name: "Settings", level: 1 })).toBeVisible();
});

test("a brain file is rendered as markdown, and hostile HTML in it neither renders nor runs", async ({ page }, testInfo) => {
  if (!existsSync(path.join(DEMO_REPO, HOSTILE_FILE))) {
    writeFileSync(path.join(DEMO_REPO, HOSTILE_FILE), HOSTILE_MARKDOWN);
    git(DEMO_REPO, ["add", "--", HOSTILE_FILE]);
    git(DEMO_REPO, ["commit", "-q", "-m", "brain: a hostile note for the phone test", "--", HOSTILE_FILE]);
  }
  const dialogs: string[] = [];
  page.on("dialog", (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  await signInAsAdmin(page);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Brain" }).click();
  await page.getByRole("link", { name: HOSTILE_FILE }).click();
  const content = page.getByRole("region", { name: "Content" });
  await expect(content.getByRole("heading", { name: "Hostile note", level: 3 })).toBeVisible();
  await expect(content.getByRole("link", { name: "safe link" })).toHaveAttribute("href", "https://example.com/");
  await expect(content.locator("code")).toHaveText("<b>code</b>");
  await expect(content).toContainText("<script> as an entity.");
  await expect(content.locator("script, img, iframe, [onerror]")).toHaveCount(0);
  for (const name of ["click me", "tab in scheme"]) {
    await expect(content.getByText(name)).toBeVisible();
    await expect(content.getByRole("link", { name })).toHaveCount(0);
    await content.getByText(name).click();
  }
  await expect(content.locator('a[href*="script:" i]')).toHaveCount(0);
  expect(await page.evaluate<unknown>("window.__pwned")).toBeUndefined();
  expect(dialogs).toEqual([]);
  await keepScreenshot(page, testInfo, "brain-markdown");

  await content.getByRole("button", { name: "Markdown source" }).click();
  await expect(content.locator("pre")).toContainText("<script>window.__pwned = 'script'</script>");
});

test("the theme switch holds across a reload, whatever the system prefers, with no CSP violation", async ({ page }, testInfo) => {
  const violations: string[] = [];
  page.on("console", (message) => {
    if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
  });
  await page.emulateMedia({ colorScheme: "light" });
  await signInAsAdmin(page);
  await page.goto("/settings");
  const appearance = page.getByRole("region", { name: "Appearance" });
  await appearance.getByRole("radio", { name: "Dark" }).check();
  const background = () => page.evaluate<string>("getComputedStyle(document.body).backgroundColor");
  const html = page.locator("html");
  await expect(html).toHaveAttribute("data-theme", "dark");
  const dark = await background();

  await page.reload();
  await expect(html).toHaveAttribute("data-theme", "dark");
  await expect(appearance.getByRole("radio", { name: "Dark" })).toBeChecked();
  expect(await background()).toBe(dark);
  await keepScreenshot(page, testInfo, "settings-dark");

  await appearance.getByRole("radio", { name: "Light" }).check();
  await page.emulateMedia({ colorScheme: "dark" });
  await page.reload();
  await expect(html).toHaveAttribute("data-theme", "light");
  expect(await background()).not.toBe(dark);

  await appearance.getByRole("radio", { name: "Same as the system" }).check();
  await page.reload();
  await expect(html).toHaveAttribute("data-theme", "system");
  await expect.poll(background).toBe(dark);
  expect(violations).toEqual([]);
});

test("a viewer learns before filling in the form that starting a session needs the approver role", async ({
  page,
  browser,
}, testInfo) => {
  await signInAsAdmin(page);
  const email = `phone-viewer-${Date.now().toString(36)}@e2e.test`;
  const viewer = await acceptInvite(browser, testInfo, await invite(page, email, "viewer"), "Phone Viewer", "viewer-password-1");
  await viewer.goto("/sessions/new");
  const note = viewer.getByRole("note");
  await expect(note).toContainText("needs the approver role");
  const form = viewer.getByRole("region", { name: "Start a session" });
  await expect(form.getByLabel("Prompt")).toBeDisabled();
  await expect(form.getByRole("button", { name: "Start session" })).toBeDisabled();
  const noteBox = await note.boundingBox();
  const promptBox = await form.getByLabel("Prompt").boundingBox();
  expect(noteBox?.y ?? Infinity).toBeLessThan(promptBox?.y ?? 0);
  await keepScreenshot(viewer, testInfo, "new-session-viewer");

  // Their own account they may change: a wrong current password is refused, a new name is kept.
  await viewer.goto("/settings");
  const password = viewer.getByRole("form", { name: "Change password" });
  await password.getByLabel("Current password").fill("not-my-password-1");
  await password.getByLabel("New password", { exact: true }).fill("viewer-password-2");
  await password.getByLabel("New password again").fill("viewer-password-2");
  await password.getByRole("button", { name: "Change password" }).click();
  await expect(password.getByRole("alert")).toContainText("The current password is wrong");
  const name = viewer.getByRole("form", { name: "Display name" });
  await name.getByLabel("Display name").fill("Phone Viewer Renamed");
  await name.getByRole("button", { name: "Save name" }).click();
  await expect(name.getByRole("status")).toHaveText("Name saved.");
  await viewer.reload();
  await expect(viewer.getByRole("form", { name: "Display name" }).getByLabel("Display name")).toHaveValue("Phone Viewer Renamed");
  await viewer.context().close();
});
