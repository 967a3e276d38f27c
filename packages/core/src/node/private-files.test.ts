import { mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, expect, it } from "vitest";
import { ensurePrivateDir } from "./private-files.ts";

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "grove-private-"));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

it("creates the folder and its missing parents owner-only, and repairs an existing open one", async () => {
  const dir = join(root, "a", "b", "c");
  await ensurePrivateDir(dir);
  for (const folder of [join(root, "a"), join(root, "a", "b"), dir]) expect((await stat(folder)).mode & 0o777).toBe(0o700);
  await ensurePrivateDir(dir);
});

it("refuses a folder it cannot create with the reason (under /proc node's own recursive mkdir never returns)", async () => {
  await expect(ensurePrivateDir("/proc/grove-nope/data")).rejects.toThrow(/^cannot create the folder \/proc\/grove-nope\/data: /);
});

it("refuses a path with a file in the way", async () => {
  await writeFile(join(root, "file"), "");
  await expect(ensurePrivateDir(join(root, "file"))).rejects.toThrow(
    `cannot create the folder ${join(root, "file")}: ${join(root, "file")} is a file`,
  );
  await expect(ensurePrivateDir(join(root, "file", "sub"))).rejects.toThrow(/^cannot create the folder .*file\/sub: /);
});
