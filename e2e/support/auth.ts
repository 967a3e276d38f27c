import { expect, type Browser, type BrowserContextOptions, type Page, type TestInfo } from "@playwright/test";
import { E2E_ADMIN } from "../stack.ts";

/** The device of the running project (desktop or phone), for extra browser contexts: one per person. */
export function deviceOf(testInfo: TestInfo): BrowserContextOptions {
  const { viewport, userAgent, deviceScaleFactor, isMobile, hasTouch, baseURL } = testInfo.project.use;
  return { viewport, userAgent, deviceScaleFactor, isMobile, hasTouch, baseURL };
}

export async function newPerson(browser: Browser, testInfo: TestInfo): Promise<Page> {
  return (await browser.newContext(deviceOf(testInfo))).newPage();
}

export async function signIn(page: Page, email: string, password: string): Promise<void> {
  await page.goto("/login");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { name: "Overview" })).toBeVisible();
}

export const signInAsAdmin = (page: Page) => signIn(page, E2E_ADMIN.email, E2E_ADMIN.password);

/** The admin invites someone through the Admin page and returns the invitation link shown once. */
export async function invite(page: Page, email: string, role: "viewer" | "approver" | "admin"): Promise<string> {
  await page.goto("/admin");
  const form = page.getByRole("form", { name: "Invite someone" });
  await form.getByLabel("Email to invite").fill(email);
  await form.getByLabel("Role").selectOption(role);
  await form.getByRole("button", { name: "Create invitation" }).click();
  const link = form.getByRole("textbox", { name: new RegExp(`Invitation link for ${email.replace(/[.+]/g, "\\$&")}`) });
  await expect(link).toHaveValue(/\/invite#token=/);
  return link.inputValue();
}

/** Opens an invitation link in a fresh browser context (same device type) and creates the account. */
export async function acceptInvite(
  browser: Browser,
  testInfo: TestInfo,
  link: string,
  name: string,
  password: string,
): Promise<Page> {
  const page = await newPerson(browser, testInfo);
  await page.goto(link);
  await expect(page.getByRole("heading", { name: "Join grove" })).toBeVisible();
  await page.getByLabel("Your name").fill(name);
  await page.getByLabel("Choose a password").fill(password);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByRole("heading", { name: "Overview" })).toBeVisible();
  return page;
}
