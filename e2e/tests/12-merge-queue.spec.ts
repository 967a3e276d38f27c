import { expect, test, type Locator, type Page } from "@playwright/test";
import { acceptInvite, invite, signInAsAdmin } from "../support/auth.ts";
import { holdMergedTreeTests, landedTasksSince } from "../support/queue-gate.ts";
import { keepScreenshot } from "../support/screens.ts";
import { git } from "../git-state.ts";
import { DEMO_REPO, E2E_BASE_URL } from "../stack.ts";

// The stack's own runner and demo repository: the real speculative queue (2 test slots) with its merged-tree
// tests held by a release file, so the queue stands still while the phone looks at it and puts one first.
test.beforeEach(({ page: _page }, testInfo) => {
  test.skip(testInfo.project.name !== "phone", "the merge queue as an approver follows it on a phone");
});

/** Nothing on the page is wider than the phone: no sideways scrolling, and the element shows all it holds. */
async function expectFitsThePhone(locator: Locator, page: Page): Promise<void> {
  const width = page.viewportSize()?.width ?? 0;
  const box = await locator.boundingBox();
  expect(box).not.toBeNull();
  expect((box?.x ?? 0) + (box?.width ?? 0)).toBeLessThanOrEqual(width);
  expect(await locator.evaluate((el: { scrollWidth: number; clientWidth: number }) => el.scrollWidth <= el.clientWidth)).toBe(
    true,
  );
  expect(await page.evaluate<number>("document.documentElement.scrollWidth - document.documentElement.clientWidth")).toBe(0);
}

/** The branches of the queue's entries, in the order the page shows them. */
async function queueOrder(entries: Locator): Promise<string[]> {
  const labels = await entries.evaluateAll((items: { getAttribute(name: string): string | null }[]) =>
    items.map((item) => item.getAttribute("aria-label") ?? ""),
  );
  return labels.map((label) => label.replace(/^\d+\. /, ""));
}

test("an approver follows the real merge queue on a phone, puts a waiting request first, and they land in its order", async ({
  page,
  browser,
}, testInfo) => {
  test.setTimeout(300_000);
  await signInAsAdmin(page);
  const stamp = `queue-${Date.now().toString(36)}`;
  // Long unbroken task names: they must wrap inside the card, not widen the page.
  const taskOf = (n: string) => `${stamp}-${n}-a-long-task-name-that-has-to-wrap-on-phones`;
  const branchOf = (task: string) => `agent/demo/${task}`;
  const tasks = ["a", "b", "c", "d"].map(taskOf);
  const held = holdMergedTreeTests(DEMO_REPO, { parallel: 2, stamp });
  try {
    const started = await page.request.post("/api/trpc/session.start", {
      headers: { origin: E2E_BASE_URL },
      data: { json: { tasks: tasks.map((taskId) => ({ agent: "demo", taskId, prompt: "Write queue notes lines=2" })) } },
    });
    expect(started.status(), await started.text()).toBe(200);

    await page.goto("/approvals");
    for (const task of tasks) {
      const card = page.getByRole("article", { name: `Merge request ${branchOf(task)}` });
      await card.getByRole("button", { name: `Approve ${branchOf(task)}` }).click({ timeout: 90_000 });
      await expect(card.getByRole("status")).toContainText("Merging…");
    }

    await page.getByRole("group", { name: "Show" }).getByRole("button", { name: "Queue" }).click();
    const queue = page.getByRole("region", { name: /^Merge queue of .+ into main$/ });
    await expect(queue).toContainText("2 test slots");
    const entries = queue.getByRole("listitem");
    await expect(entries).toHaveCount(4, { timeout: 60_000 });
    const [first, second, third, fourth] = [0, 1, 2, 3].map((i) => entries.nth(i));
    if (!first || !second || !third || !fourth) throw new Error("four entries");
    // Two slots: the first tested on main itself, the second on the first's candidate; the other two wait.
    const main = git(DEMO_REPO, ["rev-parse", "main"]).slice(0, 10);
    expect(main).toBe(held.base.slice(0, 10));
    await expect(first).toContainText(new RegExp(`Candidate[0-9a-f]{10} on main ${main}`), { timeout: 60_000 });
    const order = await queueOrder(entries);
    expect([...order].sort()).toEqual(tasks.map(branchOf).sort());
    await expect(second).toContainText(new RegExp(`Candidate[0-9a-f]{10} on ${order[0]}'s candidate [0-9a-f]{10}`));
    for (const [slot, tested] of [first, second].entries()) {
      await expect(tested).toContainText(`Slot${slot + 1}`);
      await expect(tested).toContainText(/Tests ?running .+ · [1-9]\d* lines printed/);
    }
    for (const waiting of [third, fourth]) await expect(waiting).toContainText(/Why ?no free test slot \(2 in use\)/);
    // Every entry has an ETA row: an estimate once a test of this queue took a measured time, till then it says so.
    for (const entry of [first, second, third, fourth])
      await expect(entry).toContainText(
        /ETA ?(no estimate yet|lands any moment|lands in (under a minute|about \d+ (min|h \d+ min)))/,
      );
    // Put first: any entry but the front one, a tested one too (it is then tested again at the front).
    await expect(first.getByRole("button", { name: /^Put .* first$/ })).toHaveCount(0);
    for (const [i, entry] of [second, third, fourth].entries())
      await expect(entry.getByRole("button", { name: `Put ${order[i + 1]} first` })).toBeVisible();
    for (const entry of [first, second, third, fourth]) await expectFitsThePhone(entry, page);
    await expectFitsThePhone(queue, page);
    await keepScreenshot(page, testInfo, "merge-queue");

    // A viewer sees the same queue, without the approver's button.
    const viewer = await acceptInvite(
      browser,
      testInfo,
      await invite(page, `${stamp}-viewer@e2e.test`, "viewer"),
      "Queue Viewer",
      "viewer-password-1234",
    );
    await viewer.goto("/approvals#show=queue");
    const seen = viewer.getByRole("region", { name: /^Merge queue of .+ into main$/ });
    await expect(seen.getByRole("listitem")).toHaveCount(4);
    await expect(seen.getByRole("button", { name: /first$/ })).toHaveCount(0);
    await viewer.context().close();

    // The last one, still waiting, is put first: the runner moves it to the front and tests it on main.
    await page.goto("/approvals#show=queue");
    const last = order[3] ?? "";
    await queue.getByRole("button", { name: `Put ${last} first` }).click();
    await expect(first).toHaveAttribute("aria-label", `1. ${last}`);
    await expect(first).toContainText("put first");
    await expect(first).toContainText(new RegExp(`Candidate[0-9a-f]{10} on main ${main}`));
    const reordered = await queueOrder(entries);
    expect(reordered).toEqual([last, ...order.slice(0, 3)]);

    // Released, they land one by one in the queue's order: main's first-parent merges say so.
    held.release();
    await expect(page.getByText("No merge is queued")).toBeVisible({ timeout: 120_000 });
    expect(landedTasksSince(DEMO_REPO, held.base).map(branchOf)).toEqual(reordered);
    expect(git(DEMO_REPO, ["status", "--porcelain"])).toBe("");

    // One audit event for the put-first: the approver's, with where it stood.
    await page.goto("/audit");
    await page.getByLabel("Branch").fill(last);
    const prioritized = page.getByRole("table").getByRole("row").filter({ hasText: "merge.prioritized" });
    await expect(page.getByRole("table").getByRole("cell", { name: "merge.completed", exact: true })).toBeVisible();
    await expect(prioritized).toHaveCount(1);
    await expect(prioritized).toContainText("admin@e2e.test");
  } finally {
    held.release();
    held.restore();
  }
});
