import { makeTempRepo, type TempRepo } from "@grove/core/test-support";
import { access, mkdtemp, realpath, rm } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startRunnerDaemon } from "../daemon.ts";
import { runGrove } from "../test-support/grove-process.ts";
import { startTestHub, waitFor, type TestHub } from "../test-support/test-hub.ts";

const TOKEN = "data-dir-lock-token-0123456789abcdef";
let repo: TempRepo;
let hub: TestHub;
let dataDir: string;

beforeEach(async () => {
  repo = await makeTempRepo({ files: { "README.md": "# app\n" } });
  hub = await startTestHub({ token: TOKEN });
  dataDir = join(await realpath(await mkdtemp(join(tmpdir(), "grove-data-dir-lock-"))), "data");
});
afterEach(async () => {
  await hub.close();
  await repo.cleanup();
  await rm(join(dataDir, ".."), { recursive: true, force: true });
});

describe("one runner per data folder", () => {
  it("refuses a second runner on a folder a live runner serves, naming it; the folder is free again once it stops", async () => {
    const first = await startRunnerDaemon({ hubUrl: hub.url, token: TOKEN, dataDir, repos: [repo.dir] });
    let isStopped = false;
    try {
      await waitFor(() => hub.store.events.some((e) => e.event === "runner:hello"), "the first runner's hello");
      const second = await runGrove(["runner", "--hub", hub.url, "--token", TOKEN, "--data-dir", dataDir, "--repo", repo.dir], {
        cwd: repo.dir,
      });
      expect(second.code).toBe(2);
      expect(second.stderr).toContain(`another \`grove runner\` (pid ${process.pid} on ${hostname()}, since `);
      expect(second.stderr).toContain(`serves the data folder ${dataDir}`);
      expect(second.stderr).toContain(
        "hint: one runner per data folder: stop that one first, or give this one its own --data-dir",
      );
      expect(second.stderr).not.toMatch(/\n\s+at /);
      // It connected to nothing: only the first runner said hello.
      expect(hub.connections).toBe(1);
      expect(hub.store.events.filter((e) => e.event === "runner:hello")).toHaveLength(1);

      await first.stop();
      isStopped = true;
      await expect(access(join(dataDir, "runner.lock"))).rejects.toThrow();
      const again = await startRunnerDaemon({ hubUrl: hub.url, token: TOKEN, dataDir, repos: [repo.dir] });
      await again.stop();
    } finally {
      if (!isStopped) await first.stop();
    }
  });
});
