import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { restrictFile } from "@grove/core/node";

/** The runner's token: GROVE_RUNNER_TOKEN, else the one kept in the data folder (made owner-only on first start). */
export async function runnerToken(dataDir: string): Promise<string> {
  if (process.env.GROVE_RUNNER_TOKEN) return process.env.GROVE_RUNNER_TOKEN;
  const file = path.join(dataDir, "runner-token");
  if (existsSync(file)) {
    await restrictFile(file);
    return (await readFile(file, "utf8")).trim();
  }
  const token = randomBytes(32).toString("base64url");
  await writeFile(file, `${token}\n`, { mode: 0o600 });
  return token;
}
