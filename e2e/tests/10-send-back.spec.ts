import { expect, test, type Page } from "@playwright/test";
import { newPerson, signInAsAdmin } from "../support/auth.ts";
import { keepScreenshot } from "../support/screens.ts";
import { findMergeCommit, git } from "../git-state.ts";
import { DEMO_REPO, E2E_BASE_URL } from "../stack.ts";

// A merge that fails on a conflict, sent back from a phone: round 2 brings main into the branch, the demo agent
// resolves the conflict keeping both sides, the approved round lands.
test.describe.configure({ mode: "serial" });

let page: Page;
let stamp = "";
const taskOf = (name: string) => `${stamp}-${name}`;
const branchOf = (name: string) => `agent/demo/${taskOf(name)}`;

test.beforeAll(async ({ browser }, testInfo) => {
  test.skip(testInfo.project.name !== "phone", "sending back is checked on the phone");
  stamp = `sendback-${Date.now().toString(36)}`;
  page = await newPerson(browser, testInfo);
  await signInAsAdmin(page);
});
test.afterAll(async () => {
  await page?.context().close();
});

test("a conflicting merge sent back: round 2 resolves it keeping both sides, and it lands", async ({ page: _page }, testInfo) => {
  // Both tasks rewrite the same line of shared.txt (the demo agent's contended-file directive).
  const started = await page.request.post("/api/trpc/session.start", {
    headers: { origin: E2E_BASE_URL },
    data: {
      json: {
        tasks: ["first", "second"].map((name) => ({
          agent: "demo",
          taskId: taskOf(name),
          prompt: "Write the shared line lines=1 conflict",
        })),
      },
    },
  });
  expect(started.status()).toBe(200);

  await page.goto("/approvals");
  const card = (name: string) => page.getByRole("article", { name: `Merge request ${branchOf(name)}` });
  await expect(card("first")).toBeVisible({ timeout: 60_000 });
  await expect(card("second")).toBeVisible({ timeout: 60_000 });

  await card("first")
    .getByRole("button", { name: `Approve ${branchOf("first")}` })
    .click();
  await expect.poll(() => findMergeCommit(DEMO_REPO, taskOf("first"))?.parents.length ?? 0, { timeout: 60_000 }).toBe(2);
  // Landing ends with the learnings deposited on main, one commit after the merge.
  await expect
    .poll(() => git(DEMO_REPO, ["log", "-1", "--format=%s", "main"]), { timeout: 30_000 })
    .toContain(`learnings (${taskOf("first")})`);
  const mainAfterFirst = git(DEMO_REPO, ["rev-parse", "main"]);

  // The second merges onto a main that already rewrote the line: the merge fails and says so on the card.
  await card("second")
    .getByRole("button", { name: `Approve ${branchOf("second")}` })
    .click();
  await expect(card("second").getByRole("alert")).toContainText(/conflict/i, { timeout: 60_000 });
  await expect(card("second").getByRole("alert")).toContainText("shared.txt");
  expect(git(DEMO_REPO, ["rev-parse", "main"])).toBe(mainAfterFirst);
  await keepScreenshot(page, testInfo, "merge-conflict");

  // The page is left only once the server has answered: leaving it earlier cancels the request in the browser.
  const [sentBack] = await Promise.all([
    page.waitForResponse((response) => response.url().includes("approval.sendBack")),
    card("second")
      .getByRole("button", { name: `Send ${branchOf("second")} back to its agent` })
      .click(),
  ]);
  expect(sentBack.status()).toBe(200);

  // Round 2 runs on the same branch and its new head waits for a decision.
  await page.goto("/approvals");
  const round2 = card("second").filter({ hasText: "round 2" });
  await expect(round2).toBeVisible({ timeout: 60_000 });
  const head = (await round2.getByText(/head [0-9a-f]{10}/).textContent())?.match(/head ([0-9a-f]{10})/)?.[1] ?? "";
  expect(head).toMatch(/^[0-9a-f]{10}$/);
  // In git: round 2's head is the merge of round 1's head and main as it was after the first landed.
  const [roundTwoHead = "", ...roundTwoParents] = git(DEMO_REPO, ["rev-list", "--parents", "-n", "1", branchOf("second")]).split(
    " ",
  );
  expect(roundTwoHead.startsWith(head)).toBe(true);
  expect(roundTwoParents).toHaveLength(2);
  expect(roundTwoParents[1]).toBe(mainAfterFirst);
  await keepScreenshot(page, testInfo, "round-2-after-send-back");

  await round2.getByRole("button", { name: `Approve ${branchOf("second")}` }).click();
  await expect
    .poll(() => findMergeCommit(DEMO_REPO, taskOf("second"))?.parents ?? [], { timeout: 60_000 })
    .toEqual([mainAfterFirst, roundTwoHead]);
  // The line both tasks rewrote holds both sides on main, with no conflict marker left.
  const shared = git(DEMO_REPO, ["show", "main:shared.txt"]);
  expect(shared).toContain(`shared line rewritten by ${taskOf("first")}`);
  expect(shared).toContain(`shared line rewritten by ${taskOf("second")}`);
  expect(shared).not.toMatch(/^(<{7}|={7}|>{7})/m);
  await expect.poll(() => git(DEMO_REPO, ["branch", "--list", branchOf("second")]), { timeout: 30_000 }).toBe("");
});
