import { chmod, mkdtemp, readFile, realpath, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { isGroupAlive } from "./agent-process-group.ts";
import { findExecutable, probeCli } from "./probe-cli.ts";

let dir: string;
beforeEach(async () => {
  dir = await realpath(await mkdtemp(join(tmpdir(), "grove-probe-cli-")));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe("findExecutable", () => {
  it("looks a bare name up along PATH (an empty entry is the folder), takes a path with a slash as it is", async () => {
    await writeFile(join(dir, "tool"), "#!/bin/sh\n");
    await writeFile(join(dir, "plain"), "not executable");
    await chmod(join(dir, "tool"), 0o755);
    expect(findExecutable("tool", { PATH: `/nowhere:${dir}` }, "/")).toBe(join(dir, "tool"));
    expect(findExecutable("tool", { PATH: "/nowhere:" }, dir)).toBe(join(dir, "tool"));
    expect(findExecutable("plain", { PATH: dir }, "/")).toBeNull();
    expect(findExecutable("./tool", { PATH: "" }, dir)).toBe(join(dir, "tool"));
    expect(findExecutable("tool", {}, "/")).toBeNull();
  });
});

describe("probeCli", () => {
  it("keeps at most maxBytes of what a CLI prints, and kills a CLI (and what it started) that does not end in time", async () => {
    // Prints 20 KB, notes its process group (its own pid: it leads one), starts a child in it, never ends.
    const pgidFile = join(dir, "pgid");
    const script = `require("fs").writeFileSync(${JSON.stringify(pgidFile)}, String(process.pid)); process.stdout.write("v".repeat(20000)); require("child_process").spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: "ignore" }); setInterval(() => {}, 1000);`;
    const probe = await probeCli([process.execPath, "-e", script], { env: {}, cwd: dir, timeoutMs: 1_000, maxBytes: 4_096 });
    expect(probe.timedOut).toBe(true);
    expect(probe.output).toBe("v".repeat(4_096));
    expect(probe.exitCode).toBeNull();
    const pgid = Number(await readFile(pgidFile, "utf8"));
    // SIGKILL was sent to the whole group; the kernel takes a moment to reap it.
    for (let tries = 0; isGroupAlive(pgid) && tries < 100; tries++) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(isGroupAlive(pgid)).toBe(false);
  });

  it("reports a CLI that cannot be started", async () => {
    const probe = await probeCli([join(dir, "missing")], { env: {}, cwd: dir, timeoutMs: 1_000, maxBytes: 100 });
    expect(probe.error).toMatch(/ENOENT/);
  });
});
