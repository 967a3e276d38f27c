import { makeTempRepo } from "@grove/core/test-support";
import { join } from "node:path";
import { expect, it } from "vitest";
import { runGrove } from "../test-support/grove-process.ts";
import { startTestHub } from "../test-support/test-hub.ts";

// A runner started with a token the hub does not know (a typo, one an admin revoked) stops with exit 2 and says why,
// instead of trying again every few seconds for good.
it("grove runner started with a token the hub refuses exits 2 and names the reason", async () => {
  const hub = await startTestHub({ token: "the-right-runner-token-for-this-test" });
  const repo = await makeTempRepo();
  try {
    const result = await runGrove(["runner", "--hub", hub.url, "--repo", repo.dir, "--data-dir", join(repo.root, "data")], {
      cwd: repo.dir,
      env: { GROVE_RUNNER_TOKEN: "a-wrong-runner-token-typed-by-hand" },
    });
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toContain(
      "runner: refused by the hub, stopping: the hub refused this runner's token (unknown or revoked)",
    );
    expect(hub.connections).toBe(0);
  } finally {
    await repo.cleanup();
    await hub.close();
  }
});
