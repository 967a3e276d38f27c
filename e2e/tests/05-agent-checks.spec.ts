import { expect, test } from "@playwright/test";
import { signInAsAdmin } from "../support/auth.ts";

test("the Health page lists each agent profile's CLI as its runner would start it", async ({ page }) => {
  await signInAsAdmin(page);
  await page.getByRole("link", { name: "Health" }).click();
  const agents = page.getByRole("region", { name: /^Agent CLIs on .+ \(demo-repo\)$/ });
  await expect(agents.getByRole("columnheader", { name: "Tested" })).toBeVisible();
  await expect(agents.getByRole("row", { name: /^demo / })).toContainText("bundled");
  // aider cannot be installed where grove is tested: it is shown as such, never as tested.
  const aider = agents.getByRole("row", { name: /^aider / });
  await expect(aider).toContainText("not installed");
  await expect(aider).toContainText("untested: aider cannot be installed");
  // Readable on a phone too: the CLI column keeps a path's width (the table scrolls sideways), never a letter a line.
  const cli = await agents
    .getByRole("row", { name: /^demo / })
    .getByRole("cell")
    .nth(1)
    .boundingBox();
  expect(cli?.width ?? 0).toBeGreaterThanOrEqual(150);
});
