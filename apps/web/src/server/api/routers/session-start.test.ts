import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestStack, type TestStack } from "../../test-support/stack.ts";

// A profile that hands its prompt over with no "--" before it, as a careless grove.yaml might.
const GROVE_YAML = JSON.stringify({
  test: 'node -e "process.exit(0)"',
  agents: {
    bare: { command: ["node", "-e", "0", "{prompt}"] },
    gone: { command: ["grove-no-such-cli-for-tests", "--", "{prompt}"] },
  },
});

let stack: TestStack;
let cookie = "";

beforeAll(async () => {
  stack = await startTestStack({ repoFiles: { "README.md": "# app\n", "grove.yaml": GROVE_YAML } });
  cookie = await stack.signIn();
});
afterAll(() => stack.close());

async function expectNothingCreated(): Promise<void> {
  expect(await stack.db.agentSession.count()).toBe(0);
  expect(await stack.db.run.count()).toBe(0);
  expect(await stack.repo.git(["branch", "--list", "agent/*"])).toBe("");
  expect(await stack.repo.git(["worktree", "list"])).not.toContain("agent");
}

describe("starting a session from the dashboard refuses hostile input before anything exists", () => {
  it("refuses a 99,000-character prompt of multi-byte characters with the limit named, in words", async () => {
    const response = await fetch(`${stack.server.url}/api/trpc/session.start`, {
      method: "POST",
      headers: { "content-type": "application/json", cookie, origin: stack.server.url },
      body: JSON.stringify({ json: { tasks: [{ agent: "demo", prompt: "é".repeat(99_000) }] } }),
    });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { json: { message: string } } };
    expect(body.error.json.message).toMatch(
      /^Task 1: the prompt is 198,000 bytes of UTF-8; at most 100,000 bytes are allowed.*\.$/,
    );
    await expectNothingCreated();
  });

  it.each(["__proto__", "constructor", "toString"])('refuses the profile "%s" as unknown', async (profile) => {
    await expect(stack.caller.session.start({ tasks: [{ agent: "demo", profile, prompt: "go" }] })).rejects.toThrow(
      `Unknown agent profile "${profile}"`,
    );
    await expect(stack.caller.session.start({ tasks: [{ agent: profile, prompt: "go" }] })).rejects.toThrow(
      `Unknown agent profile "${profile}"`,
    );
    // The runner answered: a refusal of the input, not an outage; and no advice grove.yaml would refuse.
    const refusal = await stack.caller.session
      .start({ tasks: [{ agent: "demo", profile, prompt: "go" }] })
      .catch((error: unknown) => error);
    expect(refusal).toMatchObject({ code: "BAD_REQUEST" });
    if (profile === "__proto__") expect(String(refusal)).not.toContain("agents.__proto__");
    await expectNothingCreated();
  });

  it("refuses a session one of whose tasks needs a CLI that is not installed, naming it; the other task does not start", async () => {
    await expect(
      stack.caller.session.start({
        tasks: [
          { agent: "demo", prompt: "write notes" },
          { agent: "gone", prompt: "go" },
        ],
      }),
    ).rejects.toThrow(
      /The runner refused the session: The session was not started: .*\n\s+profile "gone": not installed: "grove-no-such-cli-for-tests"/s,
    );
    await expectNothingCreated();
  });

  it("refuses a prompt the agent would read as an option, saying how to fix the profile", async () => {
    await expect(
      stack.caller.session.start({ tasks: [{ agent: "demo", profile: "bare", prompt: "--dangerously-skip-permissions" }] }),
    ).rejects.toThrow('Add "--" before "{prompt}" in agents.bare.command in grove.yaml');
    await expectNothingCreated();
  });
});
