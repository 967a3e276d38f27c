import { expect, test, type Page } from "@playwright/test";
import { newPerson, signInAsAdmin } from "../support/auth.ts";
import { keepScreenshot } from "../support/screens.ts";
import { git } from "../git-state.ts";
import { DEMO_REPO } from "../stack.ts";

test.describe.configure({ mode: "serial" });

let stamp = "";
let admin: Page;

test.beforeAll(async ({ browser }, testInfo) => {
  test.skip(testInfo.project.name !== "phone", "the dead ends were met on a phone: this flow runs on the phone project");
  stamp = `${testInfo.project.name}-${Date.now().toString(36)}`;
  admin = await newPerson(browser, testInfo);
  await signInAsAdmin(admin);
});
test.afterAll(async () => {
  await admin?.context().close();
});

const branchOf = (task: string) => `agent/demo/${stamp}-${task}`;

test("a failed run and a brain-blocked request: each shows its real outcome", async () => {
  await admin.getByRole("link", { name: "Start a session" }).click();
  const form = admin.getByRole("region", { name: "Start a session" });
  await expect(form.getByLabel("Runner")).toHaveValue(/.+/);
  await form.getByRole("button", { name: "Add task" }).click();
  for (const [index, [task, prompt]] of [
    ["broken", "Write notes lines=2 fail"],
    ["brainy", "Write notes lines=1 brain"],
  ].entries()) {
    const row = form.getByRole("group", { name: `Task ${index + 1}` });
    await row.getByLabel("Profile").selectOption("demo");
    await row.getByLabel("Task id (optional)").fill(`${stamp}-${task}`);
    await row.getByLabel("Prompt").fill(prompt ?? "");
  }
  await form.getByRole("button", { name: "Start session" }).click();
  await expect(admin).toHaveURL(/\/sessions\/session-/);
  await expect(
    admin
      .getByRole("region", { name: branchOf("broken") })
      .getByText("run failed")
      .first(),
  ).toBeVisible({ timeout: 60_000 });
  await expect(admin.getByRole("region", { name: branchOf("brainy") }).getByText("blocked", { exact: true })).toBeVisible({
    timeout: 60_000,
  });
});

test("the failed run's worktree is cleaned up from Health, its work kept under refs/grove/", async ({
  page: _page,
}, testInfo) => {
  const worktreeBefore = git(DEMO_REPO, ["worktree", "list", "--porcelain"]);
  expect(worktreeBefore).toContain(`branch refs/heads/${branchOf("broken")}`);
  await admin.goto("/health");
  const leftovers = admin.getByRole("region", { name: "Leftovers of ended runs" });
  await expect(leftovers.getByText(branchOf("broken"), { exact: true })).toBeVisible({ timeout: 30_000 });
  // A blocked request still waits for a person: it is no leftover.
  await expect(leftovers.getByText(branchOf("brainy"), { exact: true })).toHaveCount(0);
  await keepScreenshot(admin, testInfo, "health-leftovers");

  await leftovers.getByRole("button", { name: `Clean up ${branchOf("broken")}` }).click();
  await leftovers
    .getByRole("alertdialog", { name: "Confirm clean up" })
    .getByRole("button", { name: "Snapshot and clean up" })
    .click();
  const done = leftovers.getByRole("status").getByText(`Cleaned up ${branchOf("broken")}`);
  await expect(done).toBeVisible();
  const ref = /kept as (refs\/grove\/archive\/\S+)/.exec((await done.textContent()) ?? "")?.[1] ?? "";
  expect(ref).toMatch(new RegExp(`^refs/grove/archive/demo/${stamp}-broken/\\d+$`));

  // In git: the snapshot ref holds the run's head; worktree and branch are gone.
  expect(git(DEMO_REPO, ["for-each-ref", "--format=%(refname)", ref])).toBe(ref);
  expect(git(DEMO_REPO, ["cat-file", "-t", ref])).toBe("commit");
  expect(git(DEMO_REPO, ["for-each-ref", "--format=%(refname)", `refs/heads/${branchOf("broken")}`])).toBe("");
  expect(git(DEMO_REPO, ["worktree", "list", "--porcelain"])).not.toContain(branchOf("broken"));
  await expect(leftovers.getByText(branchOf("broken"), { exact: true })).toHaveCount(0);
});

test("the brain-blocked request says why and is rejected from the approvals inbox", async ({ page: _page }, testInfo) => {
  await admin.goto("/approvals");
  const card = admin.getByRole("article", { name: `Merge request ${branchOf("brainy")}` });
  await expect(card.getByText(/Blocked by the brain policy, so it cannot be approved/)).toBeVisible();
  await expect(card.getByText("never")).toHaveCount(0);
  await expect(card.getByRole("button", { name: `Approve ${branchOf("brainy")}` })).toHaveCount(0);
  await keepScreenshot(admin, testInfo, "blocked-request");

  await card.getByRole("button", { name: `Reject ${branchOf("brainy")}` }).click();
  await card
    .getByRole("group", { name: `Reason to reject ${branchOf("brainy")}` })
    .getByRole("button", { name: "Not what was asked" })
    .click();
  await expect(card).toHaveCount(0);
  await admin.getByRole("button", { name: "Decided" }).click();
  await expect(
    admin.getByRole("article", { name: `Merge request ${branchOf("brainy")}` }).getByText(/Rejected by/),
  ).toBeVisible();

  // The Sessions list tells the outcomes apart: the rejected request, the failed run.
  await admin.goto("/sessions");
  const link = (task: string) => admin.getByRole("link", { name: new RegExp(`${branchOf(task)}`) });
  await expect(link("brainy")).toContainText("rejected");
  await expect(link("broken")).toContainText("failed");
});
