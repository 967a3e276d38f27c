import { mkdtemp, readdir, readFile, realpath, rm, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, expect, it } from "vitest";
import { createSecretFile, readSecretFile } from "./secret-file.ts";

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function secretPath(): Promise<string> {
  const dir = await realpath(await mkdtemp(path.join(os.tmpdir(), "grove-secret-")));
  dirs.push(dir);
  return path.join(dir, "auth-secret");
}

it("hub processes starting at once on one data dir agree on one secret, written owner-only", async () => {
  const file = await secretPath();
  const secrets = await Promise.all(
    Array.from({ length: 8 }, (_, i) => createSecretFile(file, `secret-of-process-${i}-`.padEnd(40, "x"))),
  );
  expect(new Set(secrets).size).toBe(1);
  expect(await readSecretFile(file)).toBe(secrets[0]);
  expect((await stat(file)).mode & 0o777).toBe(0o600);
  // Nothing is left of the copies written aside.
  expect(await readdir(path.dirname(file))).toEqual(["auth-secret"]);
});

it("a secret file that grove did not write is refused with its name, and its content left as it is", async () => {
  const file = await secretPath();
  await writeFile(file, "short\n", { mode: 0o644 });
  await expect(readSecretFile(file)).rejects.toThrow(`${file} does not hold a signing secret grove wrote; delete it`);
  expect(await readFile(file, "utf8")).toBe("short\n");
  expect(await readSecretFile(path.join(path.dirname(file), "absent"))).toBeNull();
});
