import { expect, test, type Route } from "@playwright/test";
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
    // The navigation wraps instead of scrolling: every label whole and inside the screen at every width.
    const nav = page.getByRole("navigation", { name: "Main" });
    expect(
      await nav.evaluate((el: { scrollWidth: number; clientWidth: number }) => el.scrollWidth <= el.clientWidth),
      `nav at ${width}px`,
    ).toBe(true);
    for (const link of await nav.getByRole("link").all()) {
      const box = await link.boundingBox();
      expect((box?.x ?? -1) >= 0 && (box?.x ?? 0) + (box?.width ?? 0) <= width, `${await link.innerText()} at ${width}px`).toBe(
        true,
      );
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

test("while grove is unreachable the shell says so and keeps retrying, then shows the page without a reload", async ({
  page,
}, testInfo) => {
  test.skip(testInfo.project.name !== "desktop", "the shell is the same on every device");
  await signInAsAdmin(page);
  // Every tRPC request fails at the network (as while the server restarts); count the auth.me attempts.
  let meAttempts = 0;
  const unreachable = (route: Route) => {
    if (route.request().url().includes("auth.me")) meAttempts += 1;
    return route.abort();
  };
  await page.route("**/api/trpc/**", unreachable);
  await page.goto("/approvals");
  await expect(page.getByRole("status").filter({ hasText: "Cannot reach grove — retrying…" })).toBeVisible();
  // It keeps trying past the usual single retry (back-off 1 s, 2 s, …) and shows no stack trace.
  await expect.poll(() => meAttempts, { timeout: 30_000 }).toBeGreaterThanOrEqual(4);
  await expect(page.getByText(/at \S+ \(|TRPCClientError|Failed to fetch/)).toHaveCount(0);
  await expect(page.getByRole("heading", { name: "Approvals" })).toHaveCount(0);
  await page.unroute("**/api/trpc/**", unreachable);
  await expect(page.getByRole("heading", { name: "Approvals" })).toBeVisible();
  await expect(page.getByText("Cannot reach grove")).toHaveCount(0);
});

test("a page address with a bad %-escape gets a short 400, signed in or not", async ({ page, request }, testInfo) => {
  test.skip(testInfo.project.name !== "desktop", "no device involved");
  for (const path of ["/runs/%ff", "/sessions/%ff"]) {
    const response = await request.get(path);
    expect(response.status(), path).toBe(400);
    expect(await response.text()).toBe("Bad request: the address has an invalid %-escape.\n");
  }
  await signInAsAdmin(page);
  const response = await page.request.get("/runs/%ff");
  expect(response.status()).toBe(400);
});
