import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";

/**
 * A real process in a process group of its own that allocates `mb` of memory, writes every page of it, says
 * "ready" and holds it until its stdin closes: what admission must see and wait for, with no probe mocked.
 */
export type MemoryHog = { pgid: number; child: ChildProcess; exit(): Promise<void> };

const HOG_SCRIPT = `
const held = Buffer.alloc(Number(process.argv[1]) * 1024 * 1024, 1);
process.stdout.write("ready " + held.length + "\\n");
process.stdin.resume();
process.stdin.on("end", () => process.exit(0));
`;

export async function startMemoryHog(mb: number): Promise<MemoryHog> {
  const child = spawn(process.execPath, ["-e", HOG_SCRIPT, String(mb)], { detached: true, stdio: ["pipe", "pipe", "inherit"] });
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout.on("data", (chunk: Buffer) => {
      if (chunk.toString().startsWith("ready")) resolve();
    });
    child.once("exit", (code) => reject(new Error(`the memory hog exited (${code}) before it was ready`)));
  });
  await ready;
  if (child.pid === undefined) throw new Error("the memory hog has no pid");
  const exited = once(child, "exit");
  return {
    pgid: child.pid,
    child,
    async exit() {
      child.stdin.end();
      await exited;
    },
  };
}
