import { spawn } from "node:child_process";
import { mkdtemp, readdir, readFile, realpath, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";
import { buildForProduction, freePort, waitFor } from "@grove/testing";

// `GROVE_RUNNER=0 pnpm start`: a team's dashboard instance, with no runner and no demo repository beside it.

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../..");
const TSX = createRequire(import.meta.url).resolve("tsx");

it("starts the dashboard alone: it answers, and no runner or demo repository is made", { timeout: 600_000 }, async () => {
  await buildForProduction();
  const root = await realpath(await mkdtemp(path.join(os.tmpdir(), "grove-dashboard-only-")));
  const port = await freePort();
  let output = "";
  const start = spawn(process.execPath, ["--import", TSX, path.join(repoRoot, "scripts/start.ts")], {
    cwd: repoRoot,
    env: {
      ...process.env,
      PORT: String(port),
      GROVE_DATA_DIR: path.join(root, "data"),
      GROVE_SKIP_BUILD: "1",
      GROVE_RUNNER: "0",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  start.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  start.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise((resolve) => start.once("exit", resolve));
  try {
    await waitFor(
      () => output.includes("dashboard only"),
      120_000,
      () => `pnpm start to say so:\n${output}`,
    );
    expect((await fetch(`http://127.0.0.1:${port}/api/health`)).ok).toBe(true);
    const children = (await readFile(`/proc/${start.pid}/task/${start.pid}/children`, "utf8")).trim().split(/\s+/);
    const commands = await Promise.all(children.map((pid) => readFile(`/proc/${pid}/cmdline`, "utf8")));
    expect(commands.some((cmd) => cmd.includes("server.mjs"))).toBe(true);
    expect(commands.some((cmd) => cmd.includes("grove.mjs"))).toBe(false);
    expect(await readdir(path.join(root, "data"))).not.toContain("demo-repo");
  } finally {
    start.kill("SIGINT");
    await exited;
    await rm(root, { recursive: true, force: true });
  }
});

it(
  "stops at once when the dashboard ends during start-up, saying why, instead of restarting it",
  { timeout: 600_000 },
  async () => {
    await buildForProduction();
    const root = await realpath(await mkdtemp(path.join(os.tmpdir(), "grove-start-up-exit-")));
    try {
      const start = spawn(process.execPath, ["--import", TSX, path.join(repoRoot, "scripts/start.ts")], {
        cwd: repoRoot,
        env: {
          ...process.env,
          PORT: String(await freePort()),
          GROVE_DATA_DIR: path.join(root, "data"),
          GROVE_SKIP_BUILD: "1",
          GROVE_RUNNER: "0",
          DATABASE_URL: "mysql://grove@127.0.0.1/grove",
        },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let output = "";
      start.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
      start.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
      const code = await new Promise((resolve) => start.once("exit", resolve));
      expect(code).toBe(1);
      expect(output).toContain("DATABASE_URL");
      expect(output).toContain("grove: the dashboard exited during start-up (its reason is above)");
      expect(output).toContain("not restarting it");
      expect(output).not.toContain("restarting it in");
      expect(output).not.toMatch(/\n\s+at /);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  },
);
