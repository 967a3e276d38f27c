import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { once } from "node:events";
import { readdir, readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { makeTempRepo, type TempRepo } from "../test-support/temp-repo.ts";
import { withRepoLock, withSharedRepoLock } from "./repo-lock.ts";
import { SHARED_DIR } from "./repo-lock-shared.ts";

const holdScript = fileURLToPath(new URL("../test-support/hold-shared-repo-lock.ts", import.meta.url));
const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;

/** A second process holding the lock shared until a line reaches its stdin; resolves once it holds. */
async function holdInChild(repo: string, key: string): Promise<{ child: ChildProcessWithoutNullStreams; output: () => string }> {
  const child = spawn(process.execPath, ["--import", tsxLoader, holdScript, repo, key], { cwd: join(holdScript, "..") });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  while (!output.includes("held")) {
    if (child.exitCode !== null) throw new Error(`the holder exited: ${output}`);
    await once(child.stdout, "data");
  }
  return { child, output: () => output };
}

const holderRecords = async (repo: string) =>
  (await readdir(join(repo, ".git", SHARED_DIR))).filter((name) => name.startsWith("holder-"));
const keyLocks = async (repo: string) =>
  (await readdir(join(repo, ".git", SHARED_DIR))).filter((name) => name.startsWith("key-"));

/** A promise and the function that settles it. */
function gate(): { opened: Promise<void>; open: () => void } {
  let open = (): void => undefined;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

describe("withSharedRepoLock", () => {
  let repo: TempRepo;
  beforeEach(async () => {
    repo = await makeTempRepo();
  });
  afterEach(async () => {
    await repo.cleanup();
  });

  it("lets holders of different keys in together, and holders of one key one at a time", async () => {
    // Each of two holders waits inside until the other is inside too: only possible if both are in at once.
    const [a, b] = [gate(), gate()];
    await Promise.all([
      withSharedRepoLock(repo.dir, "a", async () => (a.open(), await b.opened)),
      withSharedRepoLock(repo.dir, "b", async () => (b.open(), await a.opened)),
    ]);
    let inside = 0;
    let maxInside = 0;
    await Promise.all(
      Array.from({ length: 5 }, () =>
        withSharedRepoLock(repo.dir, "same", async () => {
          maxInside = Math.max(maxInside, ++inside);
          await new Promise((resolve) => setImmediate(resolve));
          inside--;
        }),
      ),
    );
    expect(maxInside).toBe(1);
  });

  it("keeps the exclusive holder apart: it enters only after another process's shared holder let go", async () => {
    const holder = await holdInChild(repo.dir, "k");
    const exited = once(holder.child, "exit");
    let isSettled = false;
    const entered = withRepoLock(repo.dir, () => holderRecords(repo.dir)).finally(() => (isSettled = true));
    // The exclusive caller has written its grove.lock, and waits for the shared holder (or, wrongly, was let in).
    while (
      !isSettled &&
      !(await readFile(join(repo.dir, ".git", "grove.lock"), "utf8").catch(() => "")).includes(`${process.pid}`)
    )
      await sleep(1);
    expect(await holderRecords(repo.dir)).toHaveLength(1);
    holder.child.stdin.end("go\n");
    expect(await entered).toEqual([]);
    expect(await exited).toEqual([0, null]);
    expect(holder.output()).toBe("held\nreleasing\n");
  });

  it("keeps a shared holder out while the lock is held exclusively", async () => {
    const order: string[] = [];
    const held = gate();
    const exclusive = withRepoLock(repo.dir, async () => {
      held.open();
      await new Promise((resolve) => setTimeout(resolve, 50));
      order.push("exclusive done");
    });
    await held.opened;
    await withSharedRepoLock(repo.dir, "k", () => Promise.resolve(order.push("shared")));
    await exclusive;
    expect(order).toEqual(["exclusive done", "shared"]);
  });

  it("lets the exclusive holder in after a shared holder was killed with -9, and removes its record and key lock", async () => {
    const holder = await holdInChild(repo.dir, "k");
    const exited = once(holder.child, "exit");
    holder.child.kill("SIGKILL");
    await exited;
    expect(await holderRecords(repo.dir)).toHaveLength(1);
    expect(await keyLocks(repo.dir)).toHaveLength(1);
    expect(await withRepoLock(repo.dir, () => Promise.resolve("in"), { timeoutMs: 10_000 })).toBe("in");
    expect(await holderRecords(repo.dir)).toEqual([]);
    // Its key's lock too: with no holder left none is held.
    expect(await keyLocks(repo.dir)).toEqual([]);
  });

  it("refuses to take the lock exclusively inside a shared hold of the same call chain", async () => {
    await expect(withSharedRepoLock(repo.dir, "k", () => withRepoLock(repo.dir, () => Promise.resolve(1)))).rejects.toThrow(
      /would wait for itself/,
    );
    // Inside the exclusive hold a shared one is covered by it.
    expect(await withRepoLock(repo.dir, () => withSharedRepoLock(repo.dir, "k", () => Promise.resolve(2)))).toBe(2);
  });
});
