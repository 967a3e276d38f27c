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
});
