import { createDb, databaseUrlFor, disconnectDb, type Db } from "@grove/db";
import { buildForProduction, signInOverHttp, startProductionWeb, waitFor, type ProductionWeb } from "@grove/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureLocalRunner } from "./auth/bootstrap.ts";

// The pages as the built web process serves them: a run or session that does not exist is a 404, as any
// unknown address is; one that exists is a page.
const ADMIN = { email: "admin@test.local", password: "admin-password-1" };

let web: ProductionWeb | undefined;
let db: Db | undefined;
let cookie = "";

beforeAll(async () => {
  await buildForProduction();
  web = await startProductionWeb({ env: { GROVE_ADMIN_EMAIL: ADMIN.email, GROVE_ADMIN_PASSWORD: ADMIN.password } });
  const url = web.url;
  // The admin from the environment is made just after the server answers.
  await waitFor(
    () =>
      signInOverHttp(url, ADMIN).then(
        (c) => Boolean((cookie = c)),
        () => false,
      ),
    30_000,
    () => "the admin to sign in",
  );
  db = await createDb(databaseUrlFor(web.dataDir));
  const admin = await db.user.findFirstOrThrow({ where: { email: ADMIN.email } });
  const runnerId = await ensureLocalRunner(db, web.runnerToken);
  await db.agentSession.create({
    data: { id: "session-here", runnerId, repoPath: "/repo", integration: "main", createdBy: admin.id },
  });
  await db.run.create({
    data: {
      id: "run-here",
      sessionId: "session-here",
      agent: "demo",
      taskId: "here",
      profile: "demo",
      prompt: "",
      branch: "agent/demo/here",
      state: "queued",
    },
  });
}, 600_000);
afterAll(async () => {
  if (db) await disconnectDb(db);
  await web?.close();
});

async function page(path: string, withCookie = true): Promise<{ status: number; text: string }> {
  if (!web) throw new Error("the web process did not start");
  const response = await fetch(`${web.url}${path}`, { headers: withCookie ? { cookie } : {} });
  return { status: response.status, text: await response.text() };
}

describe("run and session pages", () => {
  it.each(["/runs/no-such-run", "/sessions/no-such-session", "/runs/%E2%9C%93", `/sessions/${"x".repeat(300)}`])(
    "%s answers 404 with a plain page",
    async (path) => {
      const { status, text } = await page(path);
      expect(status).toBe(404);
      expect(text).toContain("Not found");
    },
  );

  it.each(["/runs/run-here", "/sessions/session-here"])("%s, which exists, answers 200", async (path) => {
    expect((await page(path)).status).toBe(200);
  });

  it("tells a signed-out browser nothing of what exists: it gets the page that sends it to sign in", async () => {
    expect((await page("/runs/no-such-run", false)).status).toBe(200);
    expect((await page("/runs/run-here", false)).status).toBe(200);
  });
});
