import { expect, test } from "@playwright/test";
import { findMergeCommit, git } from "../git-state.ts";
import { DEMO_REPO, E2E_ADMIN } from "../stack.ts";

test("sign in, run two demo agents, watch them live, approve both, audit the merge", async ({ page }, testInfo) => {
  const stamp = `${testInfo.project.name}-${Date.now().toString(36)}`;
  const tasks = [`${stamp}-a`, `${stamp}-b`];

  await page.goto("/");
  await expect(page).toHaveURL(/\/login$/);
  await page.getByLabel("Email").fill(E2E_ADMIN.email);
  await page.getByLabel("Password").fill(E2E_ADMIN.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { name: "Overview" })).toBeVisible();
  await expect(page.getByRole("region", { name: "Runners" }).getByText("online")).toBeVisible();

  const form = page.getByRole("region", { name: "Start a session" });
  for (const [index, taskId] of tasks.entries()) {
    const fieldset = form.getByRole("group", { name: `Task ${index + 1}` });
    await fieldset.getByLabel("Task id (optional)").fill(taskId);
    await fieldset.getByLabel("Prompt").fill(`Write release notes lines=14 delay=250 (${taskId})`);
  }
  await form.getByRole("button", { name: "Start session" }).click();
  await expect(page).toHaveURL(/\/sessions\/session-\d{8}-\d{4}/);

  for (const taskId of tasks) {
    const branch = `agent/demo/${taskId}`;
    const section = page.getByRole("region", { name: branch });
    const log = section.getByRole("log", { name: `Log of ${branch}` });
    // Lines arrive while the agent still runs: the page was never reloaded.
    await expect(log.locator(".log-line").first()).toBeVisible();
    await expect(section.getByText("run running")).toBeVisible();
    await expect(log).toContainText("wrote RESULT");
  }

  for (const taskId of tasks) {
    const branch = `agent/demo/${taskId}`;
    const mr = page.getByRole("article", { name: `Merge request ${branch}` });
    await expect(mr.getByText("tests passed")).toBeVisible();
    await mr.getByRole("button", { name: "Approve" }).click();
    await expect(mr.getByText("merge merged")).toBeVisible();
  }

  // The demo repository itself: a --no-ff merge commit per task, nothing left behind.
  for (const taskId of tasks) {
    const merge = findMergeCommit(DEMO_REPO, taskId);
    expect(merge, `merge commit for ${taskId}`).not.toBeNull();
    expect(merge?.parents).toHaveLength(2);
    expect(git(DEMO_REPO, ["branch", "--list", `agent/demo/${taskId}`])).toBe("");
  }
  const worktrees = git(DEMO_REPO, ["worktree", "list", "--porcelain"]);
  for (const taskId of tasks) expect(worktrees).not.toContain(taskId);
  expect(git(DEMO_REPO, ["status", "--porcelain"])).toBe("");

  await page.getByRole("link", { name: "Audit" }).click();
  await expect(page.getByRole("status")).toContainText("Chain verified");
  await page.getByLabel("Filter by branch").fill(`agent/demo/${tasks[0]}`);
  const table = page.getByRole("table");
  for (const action of ["worktree.created", "merge.opened", "merge.approved", "merge.completed", "worktree.removed"]) {
    await expect(table.getByRole("cell", { name: action, exact: true })).toBeVisible();
  }

  await page.screenshot({ path: testInfo.outputPath("audit.png"), fullPage: true });
});
