import { existsSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { AgentProcess, OutputStream, ProcessOptions } from "./agent-process-contract.ts";
import { listGroupMembers, startAgentProcess } from "./agent-process.ts";

const node = process.execPath;
const dirs: string[] = [];
const strays: number[] = [];
const started: AgentProcess[] = [];

function start(command: string[], options: ProcessOptions): AgentProcess {
  const proc = startAgentProcess(command, options);
  started.push(proc);
  return proc;
}

function tempDir(): string {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), "grove-capture-test-")));
  dirs.push(dir);
  return dir;
}

function collect() {
  const lines: { stream: OutputStream; text: string }[] = [];
  return { lines, onLine: (stream: OutputStream, text: string) => lines.push({ stream, text }) };
}

/** The process state letter from /proc (R, S, T, Z, ...), or null once it is gone. */
function stateOf(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[0] ?? null;
  } catch {
    return null;
  }
}

function isAlive(pid: number): boolean {
  const state = stateOf(pid);
  return state !== null && state !== "Z" && state !== "X";
}

async function waitFor(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("timed out waiting");
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const FLOOD = (count: number) => `for (let i = 1; i <= ${count}; i++) process.stdout.write("line " + i + "\\n");`;
const numbered = (count: number) => Array.from({ length: count }, (_, i) => `line ${i + 1}`);

afterEach(async () => {
  // A failed test must not leave a paused reader or a stopped group behind.
  for (const proc of started.splice(0)) {
    proc.resume();
    await proc.cancel(100).catch(() => undefined);
  }
  for (const pid of strays.splice(0)) if (isAlive(pid)) process.kill(pid, "SIGKILL");
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe("output capture files", () => {
  it("writes the output to new files in captureDir and deletes them after done unless they are kept", async () => {
    const captureDir = join(tempDir(), "capture");
    const script = `console.log("out"); console.error("err")`;
    const run = (isCaptureKept: boolean) =>
      start([node, "-e", script], {
        cwd: tempDir(),
        env: {},
        onLine: () => undefined,
        captureDir,
        isCaptureKept,
      }).done;

    await run(true);
    expect(readFileSync(join(captureDir, "stdout.log"), "utf8")).toBe("out\n");
    expect(readFileSync(join(captureDir, "stderr.log"), "utf8")).toBe("err\n");
    await run(true);
    expect(readFileSync(join(captureDir, "stdout-2.log"), "utf8")).toBe("out\n");
    await run(false);
    expect(readdirSync(captureDir).sort()).toEqual(["stderr-2.log", "stderr.log", "stdout-2.log", "stdout.log"]);
  });

  it("without captureDir, uses a private folder that is gone once done settled", async () => {
    const { lines, onLine } = collect();
    const script = `const { readlinkSync } = require("node:fs"); console.log(readlinkSync("/proc/self/fd/1")); console.log(readlinkSync("/proc/self/fd/2"))`;
    await start([node, "-e", script], { cwd: tempDir(), env: {}, onLine }).done;
    const [stdout = "", stderr = ""] = lines.map((l) => l.text);
    expect([basename(stdout), basename(stderr)]).toEqual(["stdout.log", "stderr.log"]);
    expect(basename(dirname(stdout))).toMatch(/^grove-capture-/);
    expect(existsSync(dirname(stdout))).toBe(false);
  });

  it("delivers a slow agent's line while the agent is still running", async () => {
    const flag = join(tempDir(), "seen");
    const { lines, onLine } = collect();
    const script = `console.log("ready"); const t = setInterval(() => { if (require("node:fs").existsSync(${JSON.stringify(flag)})) { clearInterval(t); console.log("bye"); } }, 5);`;
    const proc = start([node, "-e", script], { cwd: tempDir(), env: {}, onLine });
    await waitFor(() => lines.length > 0);
    expect(isAlive(proc.pid ?? -1)).toBe(true);
    writeFileSync(flag, "");
    await proc.done;
    expect(lines.map((l) => l.text)).toEqual(["ready", "bye"]);
  });

  it("does not wait for a grandchild that left the group and keeps writing", async () => {
    const { lines, onLine } = collect();
    const script = `const g = require("node:child_process").spawn(process.execPath, ["-e", "setInterval(() => console.log('tick'), 5)"], { detached: true, stdio: "inherit" }); console.log("escaped " + g.pid); setTimeout(() => process.exit(0), 100);`;
    const proc = start([node, "-e", script], { cwd: tempDir(), env: {}, onLine, killGraceMs: 200 });
    await waitFor(() => lines.length > 0);
    const escaped = Number(lines[0]?.text.split(" ")[1]);
    strays.push(escaped);
    const exit = await proc.done;
    expect(exit.exitCode).toBe(0);
    expect(isAlive(escaped)).toBe(true);
  });

  it("closes every file it opened once done settled", async () => {
    const openFds = () => readdirSync("/proc/self/fd").length;
    const run = (options: Partial<ProcessOptions> = {}) => {
      const proc = start([node, "-e", FLOOD(50_000)], {
        cwd: tempDir(),
        env: {},
        onLine: () => undefined,
        ...options,
      });
      proc.pause();
      setTimeout(() => proc.resume(), 50);
      return proc.done;
    };
    // The first run creates the event loop's one inotify descriptor, which stays.
    await run();
    const before = openFds();
    await Promise.all([run(), run({ captureDir: tempDir() }), run({ maxBacklogBytes: 64 * 1024 })]);
    expect(openFds()).toBe(before);
  });
});

describe("pause, resume and the backlog limit", () => {
  it("a paused consumer does not hold the child back: it exits, then every line arrives in order after resume", async () => {
    const lines: string[] = [];
    const script = `const t = performance.now(); ${FLOOD(100_000)} console.log("elapsed " + (performance.now() - t).toFixed(1));`;
    const proc = start([node, "-e", script], {
      cwd: tempDir(),
      env: {},
      onLine: (_stream, text) => lines.push(text),
    });
    proc.pause();
    let isSettled = false;
    void proc.done.finally(() => (isSettled = true));

    await waitFor(() => !isAlive(proc.pid ?? -1));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(lines).toEqual([]);
    expect(isSettled).toBe(false);

    proc.resume();
    expect((await proc.done).exitCode).toBe(0);
    expect(lines.slice(0, -1)).toEqual(numbered(100_000));
    expect(lines.at(-1)).toMatch(/^elapsed \d+\.\d$/);
  });

  it("stops the group once the unread output passes maxBacklogBytes and continues it after resume", async () => {
    const lines: string[] = [];
    const events: { isStopped: boolean; backlogBytes: number }[] = [];
    const proc = start([node, "-e", FLOOD(400_000)], {
      cwd: tempDir(),
      env: {},
      onLine: (_stream, text) => lines.push(text),
      maxBacklogBytes: 1024 * 1024,
      onBackpressure: (isStopped, backlogBytes) => events.push({ isStopped, backlogBytes }),
    });
    proc.pause();
    const pid = proc.pid ?? -1;
    await waitFor(() => proc.isStoppedForBacklog && stateOf(pid) === "T");
    expect(events.map((e) => e.isStopped)).toEqual([true]);
    expect(events[0]?.backlogBytes).toBeGreaterThan(1024 * 1024);
    expect(isAlive(pid)).toBe(true);

    proc.resume();
    expect((await proc.done).exitCode).toBe(0);
    expect(lines).toEqual(numbered(400_000));
    // Stopped and continued, perhaps more than once as the flood outruns the reader again: always in turn.
    expect(events.length % 2).toBe(0);
    expect(events.map((e) => e.isStopped)).toEqual(events.map((_, i) => i % 2 === 0));
    expect(events.at(-1)?.backlogBytes).toBeLessThan(256 * 1024);
    expect(proc.isStoppedForBacklog).toBe(false);
  });

  it("cancel kills a group that is stopped for its backlog, while the consumer is still paused", async () => {
    const proc = start([node, "-e", FLOOD(400_000)], {
      cwd: tempDir(),
      env: {},
      onLine: () => undefined,
      maxBacklogBytes: 1024 * 1024,
    });
    proc.pause();
    const pid = proc.pid ?? -1;
    await waitFor(() => stateOf(pid) === "T");

    const exiting = proc.cancel(200);
    await waitFor(() => listGroupMembers(pid).length === 0);
    proc.resume();
    expect(await exiting).toMatchObject({ cancelled: true, exitCode: null, signal: "SIGTERM" });
  });
});
