import { expect, test } from "@playwright/test";
import { io } from "socket.io-client";
import { E2E_BASE_URL } from "../stack.ts";

test("an unauthenticated visitor gets nothing: no page data, 401 from the API, a refused socket", async ({ page, request }) => {
  for (const path of ["/", "/approvals", "/audit", "/sessions", "/admin", "/runs/anything", "/brain", "/health"]) {
    await page.goto(path);
    await expect(page).toHaveURL(/\/login$/);
    await expect(page.getByRole("heading", { name: "Sign in to grove" })).toBeVisible();
    await expect(page.getByText("agent/")).toHaveCount(0);
  }

  for (const procedure of [
    "session.list",
    "approval.list",
    "audit.list",
    "runner.list",
    "brain.list",
    "health.list",
    "user.list",
  ]) {
    const response = await request.get(`/api/trpc/${procedure}`);
    expect(response.status(), procedure).toBe(401);
    expect(await response.text(), procedure).not.toMatch(/agent\/|\.ts:\d+/);
  }
  const mutation = await request.post("/api/trpc/approval.approve", {
    headers: { origin: E2E_BASE_URL },
    data: { json: { id: "x", sha: "a".repeat(40) } },
  });
  expect(mutation.status()).toBe(401);
  expect((await request.get("/api/audit/export?format=jsonl")).status()).toBe(401);

  const socket = io(E2E_BASE_URL, { path: "/socket.io/", transports: ["websocket"], reconnection: false });
  const refused = await new Promise<Error>((resolve) => socket.once("connect_error", resolve));
  // Refused at the engine.io handshake (engine.io answers a refused upgrade with 400), before any message is read.
  expect(String((refused as Error & { description?: { message?: string } }).description?.message)).toMatch(
    /Unexpected server response: 400/,
  );
  socket.disconnect();

  // Wrong passwords are answered without saying which part was wrong.
  await page.goto("/login");
  await page.getByLabel("Email").fill("nobody@e2e.test");
  await page.getByLabel("Password").fill("wrong-password-1");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "Wrong email or password." })).toBeVisible();
});
