import { runTsScript } from "@grove/core/test-support";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";

// Real signals to a real process: the first asks it to stop, the second is answered, the third ends it.
it("a second SIGINT is answered instead of killing grove mid-step; a third ends it as the signal does", async () => {
  const dir = await mkdtemp(join(tmpdir(), "grove-stop-signal-"));
  try {
    const script = join(dir, "stop.mts");
    const module = fileURLToPath(new URL("./stop-signal.ts", import.meta.url));
    await writeFile(
      script,
      [
        `import { waitForStopSignal } from ${JSON.stringify(module)};`,
        `setInterval(() => undefined, 1_000); // as grove's own work keeps it alive while it stops`,
        `const stopped = waitForStopSignal((text) => console.log(text));`,
        `process.kill(process.pid, "SIGINT");`,
        `console.log("asked to stop by", await stopped);`,
        `process.kill(process.pid, "SIGINT");`,
        `await new Promise((resolve) => setTimeout(resolve, 50));`,
        `console.log("still here");`,
        `process.kill(process.pid, "SIGTERM");`,
        `setTimeout(() => console.log("not reached"), 10_000);`,
      ].join("\n"),
    );
    const result = await runTsScript(script, [], { cwd: dir });
    expect(result.stdout.split("\n").filter(Boolean), result.stderr).toEqual([
      "asked to stop by SIGINT",
      "grove: SIGINT: still stopping (a merge in progress finishes first); SIGINT again quits at once",
      "still here",
    ]);
    expect(result.signal).toBe("SIGTERM");
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
