import { mkdtemp, realpath, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { signInOverHttp } from "@grove/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHubChild, type HubChild } from "../test-support/hub-child.ts";

// better-auth warns at start ("Base URL is not set") unless it is given one: grove passes GROVE_PUBLIC_URL, or the
// origin it listens on. Either way the dashboard is still reached, and signed in to, under other names (127.0.0.1).
const ADMIN = { email: "admin@test.local", password: "admin-password-1" };
const BASE_URL_WARNING = /Base URL is not set/i;

let root = "";
const children: HubChild[] = [];

beforeAll(async () => {
  root = await realpath(await mkdtemp(path.join(os.tmpdir(), "grove-auth-base-url-")));
});
afterAll(async () => {
  await Promise.all(children.map((child) => child.kill("SIGTERM")));
  await rm(root, { recursive: true, force: true });
});

async function start(name: string, env: Record<string, string> = {}): Promise<HubChild> {
  const child = await startHubChild({
    dataDir: path.join(root, name),
    env: { GROVE_ADMIN_EMAIL: ADMIN.email, GROVE_ADMIN_PASSWORD: ADMIN.password, ...env },
  });
  children.push(child);
  return child;
}

describe("the dashboard gives better-auth its base URL", () => {
  it("without GROVE_PUBLIC_URL: no warning at start, and sign-in works at 127.0.0.1", async () => {
    const child = await start("local");
    expect(await signInOverHttp(child.url, ADMIN)).toMatch(/grove\.session_token=/);
    expect(child.output()).not.toMatch(BASE_URL_WARNING);
  });

  it("with GROVE_PUBLIC_URL: no warning at start", async () => {
    const child = await start("public", { GROVE_PUBLIC_URL: "http://grove.test.invalid:8080" });
    expect(await signInOverHttp(child.url, ADMIN)).toMatch(/grove\.session_token=/);
    expect(child.output()).not.toMatch(BASE_URL_WARNING);
  });
});
