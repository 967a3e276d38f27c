// `pnpm bench queue` (admission): 20 runs of a memory-hungry agent through a headless session with a count
// cap of 20, admitted by free memory; no out-of-memory kill, all complete. On a shared machine the bench
// sets its own memory budget below what is free now, and its agent refuses to go under a floor (exit 3).
import { spawn, spawnSync } from "node:child_process";
import { mkdtemp, readdir, readFile, realpath, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { makeTempRepo } from "@grove/core/test-support";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const AGENT = path.join(HERE, "memory-hungry-agent.mjs");
const GROVE_CLI = path.join(HERE, "..", "..", "apps", "runner", "src", "cli.ts");
const SAMPLE_MS = 100;
const gb = (mb: number) => `${(mb / 1024).toFixed(1)} GB`;

async function availableMemoryMb(): Promise<number> {
  return Number(/^MemAvailable:\s+(\d+) kB/m.exec(await readFile("/proc/meminfo", "utf8"))?.[1] ?? 0) / 1024;
}

type SessionJson = {
  tasks: { taskId: string; state: string; report: { exitCode: number | null; signal: string | null } | null }[];
};

/** `grove session run --json`, the real CLI in its own process; its summary. */
async function groveSessionRun(args: string[]): Promise<{ summary: SessionJson; stderr: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", GROVE_CLI, "session", "run", "--json", ...args], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  await new Promise((resolve) => child.on("close", resolve));
  try {
    return { summary: JSON.parse(stdout) as SessionJson, stderr };
  } catch {
    throw new Error(`grove session run printed no summary:\n${stderr.slice(-4000)}`);
  }
}

/** RSS (MB) and count of the live bench agents, from /proc. */
async function agentsNow(): Promise<{ rssMb: number; count: number }> {
  let rssMb = 0;
  let count = 0;
  for (const pid of (await readdir("/proc")).filter((name) => /^\d+$/.test(name))) {
    const cmdline = await readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => "");
    if (!cmdline.includes(AGENT)) continue;
    const kb = /^VmRSS:\s+(\d+) kB/m.exec(await readFile(`/proc/${pid}/status`, "utf8").catch(() => ""))?.[1];
    if (kb === undefined) continue;
    rssMb += Number(kb) / 1024;
    count++;
  }
  return { rssMb, count };
}

function oomKillsInKernelLog(): number | null {
  const dmesg = spawnSync("dmesg", [], { encoding: "utf8" });
  if (dmesg.status !== 0) return null;
  return (dmesg.stdout.match(/Out of memory|oom-kill/gi) ?? []).length;
}

export async function benchAdmission(runs = 20, agentMb = 1536, holdMs = 3000): Promise<string[]> {
  const availableMb = await availableMemoryMb();
  // What this bench may take of the machine: at most 8 GB, and never within 6 GB of what is free now.
  const budgetMb = Math.min(8 * 1024, availableMb - 6 * 1024);
  if (budgetMb < agentMb * 2)
    return [`admission: skipped, only ${gb(availableMb)} available (needs room for two agents beside 6 GB)`];
  const minFreeMemoryMb = Math.round(availableMb - budgetMb);
  const floorMb = Math.round(minFreeMemoryMb - agentMb);
  const groveYaml = [
    "test: none",
    "admission:",
    `  minFreeMemoryMb: ${minFreeMemoryMb}`,
    // The machine is shared (its load is other people's): this bench is about memory.
    "  maxLoadPerCore: 1000",
    "agents:",
    "  hungry:",
    `    command: [${JSON.stringify(process.execPath)}, ${JSON.stringify(AGENT)}, "${agentMb}", "${holdMs}", "${floorMb}", "{prompt}"]`,
    "",
  ].join("\n");
  const repo = await makeTempRepo({ files: { "README.md": "# admission bench\n", "grove.yaml": groveYaml } });
  const dataDir = await realpath(await mkdtemp(path.join(tmpdir(), "grove-admission-bench-")));
  const oomBefore = oomKillsInKernelLog();
  let lowestAvailableMb = availableMb;
  let peakAgentsMb = 0;
  let mostAtOnce = 0;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      lowestAvailableMb = Math.min(lowestAvailableMb, await availableMemoryMb());
      const agents = await agentsNow();
      peakAgentsMb = Math.max(peakAgentsMb, agents.rssMb);
      mostAtOnce = Math.max(mostAtOnce, agents.count);
      await new Promise((resolve) => setTimeout(resolve, SAMPLE_MS));
    }
  })();
  const started = performance.now();
  try {
    const tasks = Array.from({ length: runs }, (_, i) => ({
      agent: "hungry",
      profile: "hungry",
      task: `t${i}`,
      prompt: `t${i}`,
    }));
    const planFile = path.join(dataDir, "plan.json");
    await writeFile(planFile, JSON.stringify({ session: `admission-bench-${Date.now().toString(36)}`, tasks }));
    const { summary } = await groveSessionRun([
      "--plan",
      planFile,
      "--repo",
      repo.dir,
      "--approve",
      "manual",
      "--data-dir",
      path.join(dataDir, "runner"),
      "--max-runs",
      String(runs),
    ]);
    const seconds = (performance.now() - started) / 1000;
    sampling = false;
    await sampler;
    const oomAfter = oomKillsInKernelLog();
    const succeeded = summary.tasks.filter((t) => t.state === "succeeded").length;
    const killed = summary.tasks.filter((t) => t.report?.signal != null || (t.report?.exitCode ?? 0) !== 0);
    const oom = oomBefore === null || oomAfter === null ? "dmesg not readable" : `${oomAfter - oomBefore} OOM kill(s) in dmesg`;
    return [
      `admission: ${runs} runs of an agent taking ${gb(agentMb)} each (held ${holdMs} ms), --max-runs ${runs}, ${gb(availableMb)} available at the start, budget ${gb(budgetMb)} (minFreeMemoryMb ${minFreeMemoryMb}): ` +
        `${succeeded}/${runs} succeeded, ${killed.length} ended by a signal or a non-zero exit${killed.length ? ` (${killed.map((t) => `${t.taskId}: ${t.report?.signal ?? t.report?.exitCode}`).join(", ")})` : ""}, ${oom}`,
      `admission: at most ${mostAtOnce} agents at once (the count cap allowed ${runs}); peak agents' memory ${gb(peakAgentsMb)}; lowest MemAvailable ${gb(lowestAvailableMb)} (agents' floor ${gb(floorMb)}); ${seconds.toFixed(1)} s in all`,
    ];
  } finally {
    sampling = false;
    await sampler;
    await repo.cleanup();
    await rm(dataDir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) for (const line of await benchAdmission()) console.log(line);
