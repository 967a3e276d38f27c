import { randomUUID } from "node:crypto";
import { link, open, readFile, rm } from "node:fs/promises";
import { restrictFile } from "@grove/core/private-files";

// A secret is 32 characters at least (as GROVE_AUTH_SECRET must be); more than this is not a file grove wrote.
const MIN_SECRET_CHARS = 32;
const MAX_SECRET_BYTES = 4096;

/** The secret in `file` (its mode repaired to owner-only), or null when there is no file. */
export async function readSecretFile(file: string): Promise<string | null> {
  const text = await readFile(file, "utf8").catch((error: unknown) => {
    if (hasCode(error, "ENOENT")) return null;
    throw error;
  });
  if (text === null) return null;
  await restrictFile(file);
  const secret = text.trim();
  if (secret.length < MIN_SECRET_CHARS || Buffer.byteLength(text) > MAX_SECRET_BYTES) {
    throw new Error(
      `${file} does not hold a signing secret grove wrote; delete it to make a new one (everyone then signs in again)`,
    );
  }
  return secret;
}

/**
 * Writes `secret` to a new owner-only `file`, complete or not at all (written aside, then linked into
 * place); when another hub process sharing the data dir created the file first, its secret wins, so that
 * both sign and accept the same cookies.
 */
export async function createSecretFile(file: string, secret: string): Promise<string> {
  const aside = `${file}.${randomUUID()}.tmp`;
  const handle = await open(aside, "wx", 0o600);
  try {
    await handle.writeFile(`${secret}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await link(aside, file);
    return secret;
  } catch (error) {
    if (!hasCode(error, "EEXIST")) throw error;
    return (await readSecretFile(file)) ?? secret;
  } finally {
    await rm(aside, { force: true });
  }
}

function hasCode(error: unknown, code: string): boolean {
  return typeof error === "object" && error !== null && "code" in error && error.code === code;
}
