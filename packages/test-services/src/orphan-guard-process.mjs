// The guard of a test's servers, a process of its own: when the test process's end of the pipe on stdin
// closes (it exited, crashed or was killed with SIGKILL) before it released the guard, it signals the
// servers it was told about, waits for them to go, and removes their folders.
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";

const victims = [];
const dirs = [];
let buffered = "";
let isReleased = false;

process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => {
  buffered += chunk;
  const lines = buffered.split("\n");
  buffered = lines.pop() ?? "";
  for (const line of lines) {
    const order = JSON.parse(line);
    if (order.kill) victims.push(order.kill);
    if (order.forget) victims.splice(0, victims.length, ...victims.filter(({ pid }) => pid !== order.forget));
    if (order.remove) dirs.push(order.remove);
    if (order.release) isReleased = true;
  }
});
process.stdin.on("close", () => {
  if (isReleased) process.exit(0);
  void cleanUp().finally(() => process.exit(0));
});

async function cleanUp() {
  // A PostgreSQL server pg_ctl started in one of the folders, before the test process could name its pid:
  // found by its pid file, so a test killed in that moment leaves no server behind.
  for (const dir of dirs) {
    const pid = Number(readOr(join(dir, "data", "postmaster.pid")).split("\n")[0]);
    if (Number.isInteger(pid) && pid > 0 && !victims.some((v) => v.pid === pid)) victims.push({ pid, signal: "SIGQUIT" });
  }
  for (const { pid, signal } of victims) signal_(pid, signal);
  const deadline = Date.now() + 10_000;
  while (victims.some(({ pid }) => isAlive(pid)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  for (const { pid } of victims) signal_(pid, "SIGKILL");
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
}

function signal_(pid, signal) {
  try {
    process.kill(pid, signal);
  } catch {
    // Already gone.
  }
}

function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function readOr(file) {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return "";
  }
}
