import { runTsScript } from "@grove/core/test-support";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";
import { SAME_REQUEST_MS } from "./stop-signal.ts";

/** Runs `lines` in a real process that waits for its stop signals as grove does; they send it real signals. */
async function runStopping(lines: string[]) {
  const dir = await mkdtemp(join(tmpdir(), "grove-stop-signal-"));
  try {
    const script = join(dir, "stop.mts");
    const module = fileURLToPath(new URL("./stop-signal.ts", import.meta.url));
    await writeFile(
      script,
      [
        `import { waitForStopSignal } from ${JSON.stringify(module)};`,
        `const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));`,
        `setInterval(() => undefined, 1_000); // as grove's own work keeps it alive while it stops`,
        ...lines,
      ].join("\n"),
    );
    return await runTsScript(script, [], { cwd: dir });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

// A second press comes after the first one was answered; sleeping past the window makes it one.
const AFTER_WINDOW = SAME_REQUEST_MS + 200;

it("a second SIGINT is answered instead of killing grove mid-step; a third ends it as the signal does", async () => {
  const result = await runStopping([
    `const stopped = waitForStopSignal((text) => console.log(text), () => "a merge in progress finishes first");`,
    `process.kill(process.pid, "SIGINT");`,
    `console.log("asked to stop by", await stopped);`,
    `await sleep(${AFTER_WINDOW});`,
    `process.kill(process.pid, "SIGINT");`,
    `await sleep(50);`,
    `console.log("still here");`,
    `process.kill(process.pid, "SIGTERM");`,
    `setTimeout(() => console.log("not reached"), 10_000);`,
  ]);
  expect(result.stdout.split("\n").filter(Boolean), result.stderr).toEqual([
    "asked to stop by SIGINT",
    "grove: SIGINT: still stopping (a merge in progress finishes first); SIGINT again quits at once",
    "still here",
  ]);
  expect(result.signal).toBe("SIGTERM");
});

// Ctrl-C or `kill -- -<pgid>` reaches the whole group, and `pnpm start`'s launcher forwards it: one request.
it("the same request delivered twice at once (the group's signal and the launcher's forward) is one request", async () => {
  const result = await runStopping([
    `let asked = 0;`,
    `const stopped = waitForStopSignal((text) => console.log(text), () => { asked++; return "nothing"; });`,
    `process.kill(process.pid, "SIGTERM");`,
    `process.kill(process.pid, "SIGTERM");`,
    `process.kill(process.pid, "SIGINT");`,
    `console.log("asked to stop by", await stopped);`,
    `await sleep(${AFTER_WINDOW});`,
    `console.log("asked what it is doing", asked, "time(s)");`,
    `process.kill(process.pid, "SIGTERM");`,
    `await sleep(50);`,
    `process.exit(0);`,
  ]);
  expect(result.stdout.split("\n").filter(Boolean), result.stderr).toEqual([
    "asked to stop by SIGTERM",
    "asked what it is doing 0 time(s)",
    "grove: SIGTERM: still stopping (nothing); SIGTERM again quits at once",
  ]);
  expect(result.code).toBe(0);
});
