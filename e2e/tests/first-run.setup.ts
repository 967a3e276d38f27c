import { existsSync, readFileSync } from "node:fs";
import { expect, test } from "@playwright/test";
import { keepScreenshot } from "../support/screens.ts";
import { E2E_ADMIN, E2E_BASE_URL, SETUP_TOKEN_FILE } from "../stack.ts";

test("first run: the one-time setup link creates the first admin, and only once", async ({ page }, testInfo) => {
  await expect.poll(() => existsSync(SETUP_TOKEN_FILE), { message: "the server wrote its setup token" }).toBe(true);
  const token = readFileSync(SETUP_TOKEN_FILE, "utf8").trim();

  // A visitor on a fresh install is sent from the dashboard to sign-in, and from there to setup.
  await page.goto("/");
  await expect(page).toHaveURL(/\/setup$/);
  await expect(page.getByRole("heading", { name: "Set up grove" })).toBeVisible();

  await page.getByLabel("Setup token").fill("not-the-token-but-long-enough-to-try");
  await page.getByLabel("Your name").fill(E2E_ADMIN.name);
  await page.getByLabel("Email").fill(E2E_ADMIN.email);
  await page.getByLabel("Password").fill(E2E_ADMIN.password);
  await page.getByRole("button", { name: "Create admin account" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "setup token is wrong" })).toBeVisible();

  await page.goto(`/setup#token=${token}`);
  await expect(page.getByLabel("Setup token")).toHaveValue(token);
  await page.getByLabel("Your name").fill(E2E_ADMIN.name);
  await page.getByLabel("Email").fill(E2E_ADMIN.email);
  await page.getByLabel("Password").fill(E2E_ADMIN.password);
  await keepScreenshot(page, testInfo, "setup");
  await page.getByRole("button", { name: "Create admin account" }).click();

  await expect(page.getByRole("heading", { name: "Overview" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Admin" })).toBeVisible();
  expect(existsSync(SETUP_TOKEN_FILE), "the used token is removed").toBe(false);

  // Setup is closed for good: the page sends visitors to sign-in, the API refuses.
  await page.context().clearCookies();
  await page.goto("/setup");
  await expect(page).toHaveURL(/\/login$/);
  const again = await page.request.post("/api/trpc/setup.createAdmin", {
    headers: { origin: E2E_BASE_URL },
    data: { json: { token, email: "intruder@e2e.test", name: "Intruder", password: "intruder-password-1" } },
  });
  expect(again.status()).toBe(403);
});
