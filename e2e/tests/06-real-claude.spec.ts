import { existsSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, test, type Page } from "@playwright/test";
import { newPerson, signInAsAdmin } from "../support/auth.ts";
import { keepScreenshot } from "../support/screens.ts";
import { startClaudeDouble, type ModelScript } from "../support/claude-double.ts";
import { git } from "../git-state.ts";
import { DEMO_REPO } from "../stack.ts";

// The real Claude Code CLI (the built-in `claude` profile), started by the stack's runner from its PATH and
// pointed at the scripted Anthropic double by the stack's environment, through a whole session on the
// dashboard: the structured view fills while the agent works, two writes outside its folders are refused
// (and counted on the run and its approval card), the approved merge lands in git, the learning in the brain.

test.describe.configure({ mode: "serial" });

let stamp = "";
let page: Page;
let double: Awaited<ReturnType<typeof startClaudeDouble>> | undefined;
/** The agent's Bash step waits for this file: the test makes it once it saw the agent's first steps live. */
let gate = "";

const task = () => `${stamp}-claude`;
const branch = () => `agent/claude/${task()}`;
const note = () => `notes/${stamp}.md`;

function script(): ModelScript {
  const result = {
    status: "done",
    summary: `Wrote ${note()}`,
    learnings: [{ title: `Claude learning ${stamp}`, body: `The notes live in ${note()}.` }],
    files: [note()],
  };
  return [
    { do: "read", path: "{contextPack}" },
    // Outside the worktree and the run folder: Claude Code refuses both (permission_denied).
    { do: "write", path: path.join(os.tmpdir(), `grove-e2e-outside-${stamp}-1.txt`), content: "refused" },
    { do: "write", path: path.join(os.tmpdir(), `grove-e2e-outside-${stamp}-2.txt`), content: "refused" },
    { do: "write", path: `{cwd}/${note()}`, content: `# Notes ${stamp}\n` },
    { do: "run", command: `until [ -f ${gate} ]; do sleep 0.2; done; echo gate opened` },
    { do: "write", path: "{result}", content: JSON.stringify(result, null, 2) },
    { do: "say", text: `Wrote ${note()}.` },
  ];
}

test.beforeAll(async ({ browser }, testInfo) => {
  stamp = `${testInfo.project.name}-${Date.now().toString(36)}`;
  gate = path.join(os.tmpdir(), `grove-e2e-gate-${stamp}`);
  double = await startClaudeDouble(script());
  page = await newPerson(browser, testInfo);
  await signInAsAdmin(page);
});
test.afterAll(async () => {
  await page?.context().close();
  await double?.close();
  rmSync(gate, { force: true });
});

test("a session with the built-in claude profile: the structured view fills live, refusals are counted", async ({
  page: _page,
}, testInfo) => {
  await page.getByRole("link", { name: "Start a session" }).click();
  const form = page.getByRole("region", { name: "Start a session" });
  await expect(form.getByLabel("Runner")).toHaveValue(/.+/);
  const row = form.getByRole("group", { name: "Task 1" });
  await row.getByLabel("Profile").selectOption("claude");
  await row.getByLabel("Task id (optional)").fill(task());
  await row.getByLabel("Prompt").fill(`Write ${note()}`);
  await form.getByRole("button", { name: "Start session" }).click();
  await expect(page).toHaveURL(/\/sessions\/session-\d{8}-\d{4}/);

  await page.getByRole("region", { name: branch() }).getByRole("link", { name: "Open run" }).click();
  await expect(page).toHaveURL(/\/runs\//);
  const log = page.getByRole("log", { name: `Log of ${branch()}` });
  // The agent is waiting on the gate: everything shown so far arrived while it runs.
  // Claude Code starting on a busy machine: a generous first wait, on what the agent printed.
  await expect(log.getByText("refused Write").first()).toBeVisible({ timeout: 90_000 });
  await expect(log.getByText("refused Write")).toHaveCount(2);
  await expect(log.getByText(/until \[ -f/)).toBeVisible();
  await expect(page.getByText("run running")).toBeVisible();
  expect(existsSync(path.join(os.tmpdir(), `grove-e2e-outside-${stamp}-1.txt`))).toBe(false);

  writeFileSync(gate, "");
  await expect(log.getByText("finished", { exact: true })).toBeVisible({ timeout: 60_000 });
  // The count stored on the run from the runner's report (the log's own line says it too).
  await expect(page.getByRole("note").filter({ hasText: "the agent was refused 2 actions" })).toBeVisible({ timeout: 60_000 });
  await keepScreenshot(page, testInfo, "claude-run");
});

test("the approval card counts the refusals; approving merges into main and deposits the learning", async ({
  page: _page,
}, testInfo) => {
  await page.getByRole("link", { name: /Approvals/ }).click();
  const card = page.getByRole("article", { name: `Merge request ${branch()}` });
  await expect(card.getByRole("note").filter({ hasText: "the agent was refused 2 actions" })).toBeVisible({ timeout: 60_000 });
  await keepScreenshot(page, testInfo, "claude-approval");
  await card.getByRole("button", { name: `Approve ${branch()}` }).click();
  // The card stays through "merging…" until it says where the work landed.
  await expect(card.getByRole("status").getByText(/^Landed as [0-9a-f]{10}/)).toBeVisible({ timeout: 60_000 });
  await page.getByRole("button", { name: "Decided" }).click();
  await expect(page.getByRole("article", { name: `Merge request ${branch()}` }).getByText("merged", { exact: true })).toBeVisible(
    {
      timeout: 60_000,
    },
  );

  // In git: the agent's file on main, through a merge of its task.
  expect(git(DEMO_REPO, ["show", `main:${note()}`])).toBe(`# Notes ${stamp}`);
  expect(git(DEMO_REPO, ["log", "main", "--merges", "--format=%s"])).toContain(task());

  // The brain: grove deposited the RESULT's learning as a file, from this run.
  await page.getByRole("link", { name: "Brain" }).click();
  const learning = page.getByRole("listitem").filter({
    has: page.getByRole("link", { name: new RegExp(`^project-brain/LEARN-\\d{3}-claude-learning-${stamp}\\.md$`, "i") }),
  });
  await expect(learning.getByRole("link", { name: branch() })).toBeVisible();
  await learning.getByRole("link", { name: /LEARN-/ }).click();
  await expect(page.getByText(`The notes live in ${note()}.`)).toBeVisible();
});
