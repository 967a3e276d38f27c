// The admission bench's agent: takes MB of memory (every page written), holds it HOLD_MS, writes a file.
// Safety net for a shared machine: it never takes the machine below FLOOR_MB available; if it would, it
// stops and exits 3, so a failure of admission shows as a failed run, not as the kernel's OOM killer.
import { readFileSync, writeFileSync } from "node:fs";

const [mb, holdMs, floorMb, task] = process.argv.slice(2).map((v, i) => (i < 3 ? Number(v) : v));
const CHUNK_MB = 64;
const available = () => Number(/^MemAvailable:\s+(\d+) kB/m.exec(readFileSync("/proc/meminfo", "utf8"))?.[1] ?? 0) / 1024;
const held = [];
for (let taken = 0; taken < mb; taken += CHUNK_MB) {
  if (available() - CHUNK_MB < floorMb) {
    console.error(`refusing to take more memory: ${Math.round(available())} MB available, floor ${floorMb} MB`);
    process.exit(3);
  }
  held.push(Buffer.alloc(Math.min(CHUNK_MB, mb - taken) * 1024 * 1024, 1));
}
console.log(`holding ${held.reduce((sum, b) => sum + b.length, 0) / 1024 / 1024} MB`);
await new Promise((resolve) => setTimeout(resolve, holdMs));
writeFileSync(`done-${task}.txt`, `${task} held ${mb} MB\n`);
console.log("done");
