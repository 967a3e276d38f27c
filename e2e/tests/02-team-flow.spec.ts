import { expect, test, type Page } from "@playwright/test";
import { acceptInvite, invite, newPerson, signInAsAdmin } from "../support/auth.ts";
import { keepScreenshot } from "../support/screens.ts";
import { findMergeCommit, git } from "../git-state.ts";
import { DEMO_REPO, E2E_BASE_URL } from "../stack.ts";

test.describe.configure({ mode: "serial" });

let stamp = "";
let admin: Page;
let approver: Page;
let viewer: Page;
const password = "team-password-123";

test.beforeAll(async ({ browser }, testInfo) => {
  stamp = `${testInfo.project.name}-${Date.now().toString(36)}`;
  admin = await newPerson(browser, testInfo);
  await signInAsAdmin(admin);
});
test.afterAll(async () => {
  for (const page of [admin, approver, viewer]) await page?.context().close();
});

const branchOf = (task: string) => `agent/demo/${stamp}-${task}`;

test("an admin invites an approver and a viewer; each joins with the role given", async ({ browser }, testInfo) => {
  const approverLink = await invite(admin, `approver-${stamp}@e2e.test`, "approver");
  await keepScreenshot(admin, testInfo, "admin");
  approver = await acceptInvite(browser, testInfo, approverLink, "Avery Approver", password);
  await expect(approver.getByRole("link", { name: "Start a session" })).toBeVisible();
  await expect(approver.getByRole("link", { name: "Admin" })).toHaveCount(0);

  const viewerLink = await invite(admin, `viewer-${stamp}@e2e.test`, "viewer");
  viewer = await acceptInvite(browser, testInfo, viewerLink, "Vic Viewer", password);
  await expect(viewer.getByRole("link", { name: "Start a session" })).toHaveCount(0);

  // The link works once.
  const reuse = await newPerson(browser, testInfo);
  await reuse.goto(approverLink);
  await expect(reuse.getByRole("alert").filter({ hasText: "not valid any more" })).toBeVisible();
  await reuse.context().close();
});

test("the approver starts a session and watches both logs stream live", async ({ page: _page }, testInfo) => {
  await approver.getByRole("link", { name: "Start a session" }).click();
  const form = approver.getByRole("region", { name: "Start a session" });
  await expect(form.getByLabel("Runner")).toHaveValue(/.+/);
  await expect(form.getByLabel("Profile")).toContainText("demo");
  await form.getByRole("button", { name: "Add task" }).click();
  for (const [index, task] of ["keep", "drop"].entries()) {
    const row = form.getByRole("group", { name: `Task ${index + 1}` });
    await row.getByLabel("Profile").selectOption("demo");
    await row.getByLabel("Task id (optional)").fill(`${stamp}-${task}`);
    await row.getByLabel("Prompt").fill(`Write release notes lines=24 delay=250 (${task})`);
  }
  await keepScreenshot(approver, testInfo, "new-session");
  await form.getByRole("button", { name: "Start session" }).click();
  await expect(approver).toHaveURL(/\/sessions\/session-\d{8}-\d{4}/);

  const logOf = (task: string) =>
    approver.getByRole("region", { name: branchOf(task) }).getByRole("log", { name: `Log of ${branchOf(task)}` });
  // Lines arrive while both agents are still running: the page was never reloaded.
  for (const task of ["keep", "drop"]) {
    await expect(
      logOf(task)
        .getByText(/step \d+\/24/)
        .first(),
    ).toBeVisible();
    await expect(approver.getByRole("region", { name: branchOf(task) }).getByText("run running")).toBeVisible();
  }
  for (const task of ["keep", "drop"]) await expect(logOf(task).getByText("wrote RESULT")).toBeVisible();
  await keepScreenshot(approver, testInfo, "session");
  for (const task of ["keep", "drop"]) {
    await expect(
      approver.getByRole("region", { name: branchOf(task) }).getByText("waiting for approval", { exact: true }),
    ).toBeVisible();
  }
});

test("a viewer sees the waiting requests but cannot approve them", async () => {
  await viewer.getByRole("link", { name: /Approvals/ }).click();
  const card = viewer.getByRole("article", { name: `Merge request ${branchOf("keep")}` });
  await expect(card.getByText(/passed in/)).toBeVisible();
  await expect(card.getByRole("button", { name: /Approve/ })).toHaveCount(0);
  await expect(card.getByText("needs the approver role")).toBeVisible();

  const id = await card.getAttribute("id");
  const response = await viewer.request.post("/api/trpc/approval.approve", {
    headers: { origin: E2E_BASE_URL },
    data: { json: { id, sha: "a".repeat(40) } },
  });
  expect(response.status()).toBe(403);
});

test("the approver approves one request in one tap and rejects the other with a comment in two", async ({
  page: _page,
}, testInfo) => {
  await approver.getByRole("link", { name: /Approvals/ }).click();
  await expect(approver.getByRole("link", { name: /Approvals/ }).getByLabel(/waiting/)).toBeVisible();
  const keep = approver.getByRole("article", { name: `Merge request ${branchOf("keep")}` });
  const approve = keep.getByRole("button", { name: `Approve ${branchOf("keep")}` });
  await keep.scrollIntoViewIfNeeded();
  // Phone-first: the request, its verdict inputs and both decisions fit on one screen.
  for (const term of ["Tests", "Conflicts", "Overlap", "Brain", "Diff"])
    await expect(keep.getByText(term, { exact: true })).toBeVisible();
  const box = await keep.boundingBox();
  const viewport = approver.viewportSize();
  expect(box && viewport ? box.height : Infinity).toBeLessThanOrEqual(viewport?.height ?? 0);
  await expect(approve).toBeInViewport();
  await keepScreenshot(approver, testInfo, "approvals");

  await approve.click();
  // The card stays: "merging…" with the queue's stage, then what became of it.
  await expect(keep.getByRole("status").getByText(/^Landed as [0-9a-f]{10}/)).toBeVisible();

  const drop = approver.getByRole("article", { name: `Merge request ${branchOf("drop")}` });
  await drop.getByRole("button", { name: `Reject ${branchOf("drop")}` }).click();
  await drop
    .getByRole("group", { name: `Reason to reject ${branchOf("drop")}` })
    .getByRole("button", { name: "Not what was asked" })
    .click();
  await expect(drop).toHaveCount(0);

  await approver.getByRole("button", { name: "Decided" }).click();
  await expect(
    approver.getByRole("article", { name: `Merge request ${branchOf("keep")}` }).getByText("merged", { exact: true }),
  ).toBeVisible();
  const rejected = approver.getByRole("article", { name: `Merge request ${branchOf("drop")}` });
  await expect(rejected.getByText("rejected", { exact: true })).toBeVisible();
  await expect(rejected.getByText("Not what was asked")).toBeVisible();

  // The repository itself: a --no-ff merge for the approved task, nothing left of it; the rejected branch is kept.
  const merge = findMergeCommit(DEMO_REPO, `${stamp}-keep`);
  expect(merge?.parents).toHaveLength(2);
  expect(git(DEMO_REPO, ["branch", "--list", branchOf("keep")])).toBe("");
  expect(git(DEMO_REPO, ["branch", "--list", branchOf("drop")])).toContain(branchOf("drop"));
  expect(findMergeCommit(DEMO_REPO, `${stamp}-drop`)).toBeNull();
  expect(git(DEMO_REPO, ["status", "--porcelain"])).toBe("");
});

test("the audit explorer shows the whole chain of the merged branch, verified", async ({ page: _page }, testInfo) => {
  await admin.goto("/audit");
  await expect(admin.getByRole("status", { name: "Chain verification" })).toContainText("Chain verified");
  await admin.getByLabel("Branch").fill(branchOf("keep"));
  const table = admin.getByRole("table");
  for (const action of [
    "worktree.created",
    "merge.opened",
    "merge.approved",
    "merge.completed",
    "worktree.removed",
    "branch.deleted",
  ]) {
    await expect(table.getByRole("cell", { name: action, exact: true })).toBeVisible();
  }
  await expect(table.getByLabel("not linked")).toHaveCount(0);
  await keepScreenshot(admin, testInfo, "audit");

  await admin.getByLabel("Branch").fill(branchOf("drop"));
  await expect(table.getByRole("cell", { name: "merge.rejected", exact: true })).toBeVisible();
  await expect(table.getByRole("cell", { name: "merge.completed", exact: true })).toHaveCount(0);
  const row = table.getByRole("row").filter({ hasText: "merge.rejected" });
  await row.getByRole("button", { name: /Details of event/ }).click();
  await expect(table.getByText("Not what was asked")).toBeVisible();
});
