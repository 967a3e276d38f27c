import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { isDomainError } from "../errors/domain-error.ts";
import { MAX_LOG_LINE_CHARS } from "../schemas/log-row.ts";
import type { OutputStream } from "./agent-process-contract.ts";
import {
  listGroupMembers,
  listRunGroupMembers,
  listRunProcessGroups,
  runShellCommand,
  startAgentProcess,
} from "./agent-process.ts";

const node = process.execPath;
const dirs: string[] = [];

function tempDir(): string {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), "grove-proc-")));
  dirs.push(dir);
  return dir;
}

function collect() {
  const lines: { stream: OutputStream; text: string }[] = [];
  return { lines, onLine: (stream: OutputStream, text: string) => lines.push({ stream, text }) };
}

function isAlive(pid: number): boolean {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return false;
  }
  return !/\) [ZX] /.test(stat);
}

// A child that starts a grandchild ignoring SIGTERM, prints its pid, then waits forever.
const STUBBORN_FAMILY = `
const { spawn } = require("node:child_process");
const grandchild = spawn(process.execPath, ["-e", "process.on('SIGTERM', () => {}); setInterval(() => {}, 1000); console.log('gc up')"], { stdio: "inherit" });
console.log("grandchild " + grandchild.pid);
process.on("SIGTERM", () => {});
setInterval(() => {}, 1000);
`;

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe("startAgentProcess", () => {
  it("runs argv in cwd with exactly the given env (and PWD naming cwd) and reports lines per stream", async () => {
    const cwd = tempDir();
    const { lines, onLine } = collect();
    const script = `console.log(process.cwd()); console.log(process.env.GROVE_X + ":" + (process.env.HOME ?? "none") + ":" + process.env.PWD); console.error("warn"); process.stdout.write("tail"); process.exitCode = 3;`;
    const exit = await startAgentProcess([node, "-e", script, "--", "$(touch pwned)"], {
      cwd,
      env: { GROVE_X: "yes", PWD: "/where/grove/was/started" },
      onLine,
    }).done;
    expect(exit).toMatchObject({ exitCode: 3, signal: null, timedOut: false, cancelled: false });
    expect(lines.filter((l) => l.stream === "stdout").map((l) => l.text)).toEqual([cwd, `yes:none:${cwd}`, "tail"]);
    expect(lines.filter((l) => l.stream === "stderr").map((l) => l.text)).toEqual(["warn"]);
    expect(existsSync(join(cwd, "pwned"))).toBe(false);
  });

  it("splits a 1 MB line without a newline into bounded lines", async () => {
    const { lines, onLine } = collect();
    const script = `process.stdout.write("a".repeat(1_000_000))`;
    await startAgentProcess([node, "-e", script], { cwd: tempDir(), env: {}, onLine }).done;
    expect(lines.map((l) => l.text).join("")).toHaveLength(1_000_000);
    expect(Math.max(...lines.map((l) => l.text.length))).toBeLessThanOrEqual(MAX_LOG_LINE_CHARS);
  });

  it("cancel kills the whole process group, even members that ignore SIGTERM", async () => {
    const { lines, onLine } = collect();
    const proc = startAgentProcess([node, "-e", STUBBORN_FAMILY], { cwd: tempDir(), env: {}, onLine });
    await waitFor(() => lines.some((l) => l.text === "gc up") && lines.some((l) => l.text.startsWith("grandchild ")));
    const grandchild = Number(lines.find((l) => l.text.startsWith("grandchild "))?.text.split(" ")[1]);
    const pid = proc.pid ?? -1;
    expect(isAlive(grandchild)).toBe(true);

    const exit = await proc.cancel(200);
    expect(exit.cancelled).toBe(true);
    expect(exit.signal).toBe("SIGKILL");
    expect(listGroupMembers(pid)).toEqual([]);
    expect(isAlive(grandchild)).toBe(false);
  });

  it("tells a run's process group by GROVE_RUN_ID in its members' environment", async () => {
    const { lines, onLine } = collect();
    const proc = startAgentProcess([node, "-e", STUBBORN_FAMILY], { cwd: tempDir(), env: { GROVE_RUN_ID: "run-7" }, onLine });
    await waitFor(() => lines.some((l) => l.text === "gc up"));
    const pid = proc.pid ?? -1;
    expect(listRunGroupMembers(pid, "run-7").sort()).toEqual(listGroupMembers(pid).sort());
    expect(listRunGroupMembers(pid, "run-7")).toHaveLength(2);
    expect(listRunGroupMembers(pid, "run-70")).toEqual([]);
    expect(listRunGroupMembers(pid, "run")).toEqual([]);
    // Found by the run id alone too, as for an agent whose group no record kept.
    expect(listRunProcessGroups("run-7")).toEqual([pid]);
    expect(listRunProcessGroups("run-70")).toEqual([]);
    await proc.cancel(200);
    expect(listRunGroupMembers(pid, "run-7")).toEqual([]);
    expect(listRunProcessGroups("run-7")).toEqual([]);
  });

  it("a timeout terminates the run and says so", async () => {
    const started = Date.now();
    const exit = await startAgentProcess([node, "-e", "setInterval(() => {}, 1000)"], {
      cwd: tempDir(),
      env: {},
      onLine: () => undefined,
      timeoutMs: 150,
      killGraceMs: 200,
    }).done;
    expect(exit).toMatchObject({ timedOut: true, exitCode: null, signal: "SIGTERM" });
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it("leaves no process of the group behind when the leader exits normally", async () => {
    const { lines, onLine } = collect();
    const script = `const c = require("node:child_process").spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: "ignore" }); console.log(c.pid); setTimeout(() => process.exit(0), 100);`;
    const exit = await startAgentProcess([node, "-e", script], { cwd: tempDir(), env: {}, onLine, killGraceMs: 200 }).done;
    expect(exit.exitCode).toBe(0);
    expect(isAlive(Number(lines[0]?.text))).toBe(false);
  });

  it("rejects with a DomainError when the program or the cwd does not exist", async () => {
    const cwd = tempDir();
    const missing = startAgentProcess([join(cwd, "no-such-agent")], { cwd, env: {}, onLine: () => undefined });
    await expect(missing.done).rejects.toSatisfy((e) => isDomainError(e) && e.code === "PROCESS_FAILED");
    const noCwd = startAgentProcess([node, "-v"], { cwd: join(cwd, "gone"), env: {}, onLine: () => undefined });
    await expect(noCwd.done).rejects.toThrow(/does not exist/);
  });
});

describe("runShellCommand", () => {
  it("runs the repo's shell command with /bin/sh -c", async () => {
    const { lines, onLine } = collect();
    const cmd = `"${node}" -e "console.log(1+1)" && echo done >&2 && exit 4`;
    const exit = await runShellCommand(cmd, { cwd: tempDir(), env: { PATH: process.env.PATH }, onLine });
    expect(exit.exitCode).toBe(4);
    expect(lines).toEqual([
      { stream: "stdout", text: "2" },
      { stream: "stderr", text: "done" },
    ]);
  });

  it("stops when the abort signal fires", async () => {
    const controller = new AbortController();
    const running = runShellCommand(`"${node}" -e "setInterval(() => {}, 1000)"`, {
      cwd: tempDir(),
      env: {},
      onLine: () => undefined,
      abortSignal: controller.signal,
    });
    setTimeout(() => controller.abort(), 100);
    await expect(running).resolves.toMatchObject({ cancelled: true });
  });
});

async function waitFor(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("timed out waiting");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
