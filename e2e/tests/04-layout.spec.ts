import { expect, test } from "@playwright/test";
import { signInAsAdmin } from "../support/auth.ts";
import { keepScreenshot } from "../support/screens.ts";

const PAGES = ["/", "/approvals", "/sessions", "/sessions/new", "/audit", "/brain", "/health", "/admin", "/settings"];

test("no page overflows sideways from 360 px to a wide screen, in light and dark", async ({ page }, testInfo) => {
  test.skip(testInfo.project.name !== "desktop", "one device is enough: the viewport is set here");
  await signInAsAdmin(page);
  for (const width of [360, 768, 1440]) {
    await page.setViewportSize({ width, height: 900 });
    for (const path of PAGES) {
      await page.goto(path);
      await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
      const overflow = await page.evaluate<number>("document.documentElement.scrollWidth - document.documentElement.clientWidth");
      expect(overflow, `${path} at ${width}px`).toBeLessThanOrEqual(0);
    }
  }
  await page.emulateMedia({ colorScheme: "dark" });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto("/approvals");
  await expect(page.getByRole("heading", { name: "Approvals" })).toBeVisible();
  await keepScreenshot(page, testInfo, "approvals-dark-phone");
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto("/");
  await expect(page.getByRole("heading", { name: "Overview" })).toBeVisible();
  await keepScreenshot(page, testInfo, "overview-dark");
});

test("the main navigation and the inbox work from the keyboard", async ({ page }, testInfo) => {
  test.skip(testInfo.project.name !== "desktop", "a keyboard is a desktop's");
  await signInAsAdmin(page);
  // A fresh load: the first Tab stop of every page is the skip link.
  await page.reload();
  await expect(page.getByRole("heading", { name: "Overview" })).toBeVisible();
  await page.keyboard.press("Tab");
  await expect(page.getByRole("link", { name: "Skip to content" })).toBeFocused();
  const approvals = page.getByRole("link", { name: /^Approvals/ });
  await approvals.focus();
  await page.keyboard.press("Enter");
  await expect(page.getByRole("heading", { name: "Approvals" })).toBeVisible();
  await page.getByRole("button", { name: "Decided" }).focus();
  await page.keyboard.press("Enter");
  await expect(page.getByRole("button", { name: "Decided" })).toHaveAttribute("aria-pressed", "true");
});
