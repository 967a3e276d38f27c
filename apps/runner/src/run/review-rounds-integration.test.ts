import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startRoundSession, type RoundSession } from "../test-support/round-session.ts";

// Send back: a later round that brings the integration branch into the agent's branch before the agent starts
// (git merge --no-ff in its worktree), with the demo agent on a real repository through the daemon.

let session: RoundSession;
beforeEach(async () => {
  session = await startRoundSession({ files: { "shared.txt": "original line\n" } });
});
afterEach(async () => {
  await session.cleanup();
});

const git = (args: string[]) => session.repo.git(args);
const SEND_BACK = { number: 2, start: "continue", bringIntegration: true } as const;

async function commitOnMain(files: Record<string, string>, message: string): Promise<string> {
  await session.repo.write(files);
  await git(["add", "-A"]);
  await git(["commit", "-q", "-m", message]);
  return git(["rev-parse", "main"]);
}

describe("a round that brings the integration branch in", () => {
  it("merges it cleanly before the agent starts, and reports from the round before's head", async () => {
    await session.round("write the notes");
    const roundOneHead = await git(["rev-parse", session.branch]);
    const mainHead = await commitOnMain({ "other.txt": "landed meanwhile\n" }, "another branch landed");

    const second = await session.round("the merged tree was red: fix it", SEND_BACK);
    expect(second.state, second.error).toBe("succeeded");
    const merge = (second.prepared?.integration ?? {}) as Record<string, unknown>;
    expect(merge).toMatchObject({ outcome: "merged", integrationSha: mainHead, files: [] });
    expect(await git(["rev-list", "--parents", "-n", "1", String(merge.mergeSha)])).toBe(
      `${String(merge.mergeSha)} ${roundOneHead} ${mainHead}`,
    );
    expect(await git(["merge-base", "--is-ancestor", mainHead, session.branch]).then(() => true)).toBe(true);
    expect(second.baseSha).toBe(roundOneHead);
    // Counted from round 1's head: the merge, the commit it brought in, the agent's.
    expect(second.report?.commits).toBe(3);
    expect(second.contextPack).toContain(`grove merged \`main\` at \`${mainHead}\` into your branch cleanly`);
  });

  it("leaves a conflict for the agent, tells it which files, and concludes the merge once the agent resolved them", async () => {
    await session.round("write the notes conflict");
    const roundOneHead = await git(["rev-parse", session.branch]);
    const mainHead = await commitOnMain({ "shared.txt": "main's own line\n" }, "main rewrote shared.txt");

    const second = await session.round("the merge conflicted: fix it", SEND_BACK);
    expect(second.state, second.error).toBe("succeeded");
    expect(second.prepared?.integration).toMatchObject({ outcome: "conflict", integrationSha: mainHead, files: ["shared.txt"] });
    expect(second.contextPack).toContain("### Merge conflict to resolve first");
    expect(second.contextPack).toContain(
      `grove merged \`main\` at \`${mainHead}\` into your branch; it conflicts in:\n- \`shared.txt\``,
    );
    // The prompt the agent got begins with the conflict (the demo agent prints its prompt).
    expect(
      second.lines.some((line) =>
        line.includes(`grove merged main (${mainHead}) into your branch and it conflicts in: shared.txt`),
      ),
    ).toBe(true);

    const head = await git(["rev-parse", session.branch]);
    expect(await git(["rev-list", "--parents", "-n", "1", head])).toBe(`${head} ${roundOneHead} ${mainHead}`);
    const shared = await git(["show", `${head}:shared.txt`]);
    expect(shared).toContain("shared line rewritten by task-r");
    expect(shared).toContain("main's own line");
    expect(shared).not.toMatch(/^(<{7}|={7}|>{7})/m);
    expect(await session.repo.git(["status", "--porcelain"], { cwd: second.worktreePath ?? "" })).toBe("");
  });

  it("keeps both sides when the round's prompt repeats the first round's task with its directives, as the hub's does", async () => {
    await session.round("write the notes conflict");
    await commitOnMain({ "shared.txt": "main's own line\n" }, "main rewrote shared.txt");

    // The hub's round prompt quotes the first round's task: its words must not redo round 1's edits.
    const second = await session.round("Resolve the merge.\n\nThe task was:\n    write the notes conflict", SEND_BACK);
    expect(second.state, second.error).toBe("succeeded");
    const shared = await git(["show", `${session.branch}:shared.txt`]);
    expect(shared).toContain("shared line rewritten by task-r");
    expect(shared).toContain("main's own line");
  });

  it("concludes the merge itself, as the agent, when the agent resolved the conflict but did not commit", async () => {
    await session.round("write the notes conflict");
    const roundOneHead = await git(["rev-parse", session.branch]);
    const mainHead = await commitOnMain({ "shared.txt": "main's own line\n" }, "main rewrote shared.txt");

    const second = await session.round("the merge conflicted: no-commit", SEND_BACK);
    expect(second.state, second.error).toBe("succeeded");
    const head = await git(["rev-parse", session.branch]);
    expect(await git(["rev-list", "--parents", "-n", "1", head])).toBe(`${head} ${roundOneHead} ${mainHead}`);
    expect(await git(["log", "-1", "--format=%an|%cn", head])).toBe("demo|grove");
    expect(await git(["show", `${head}:notes/task-r-review.md`])).toContain("- round 2: the merge conflicted: no-commit");
    expect(
      second.lines.some((line) => line.startsWith("the agent resolved the merge conflicts; grove concluded the merge as demo")),
    ).toBe(true);
  });

  it("fails with the files when the agent left the conflict unresolved, keeping its worktree and a snapshot", async () => {
    await session.round("write the notes conflict");
    const mainHead = await commitOnMain({ "shared.txt": "main's own line\n" }, "main rewrote shared.txt");
    const roundOneHead = await git(["rev-parse", session.branch]);

    const second = await session.round("the merge conflicted: keep-conflicts no-commit", SEND_BACK);
    expect(second.state).toBe("failed");
    expect(second.error).toBe("conflicts unresolved: shared.txt");
    // Nothing was concluded: the branch is where round 1 left it, the merge still in progress in the worktree.
    expect(await git(["rev-parse", session.branch])).toBe(roundOneHead);
    const worktree = second.worktreePath ?? "";
    expect(await session.repo.git(["rev-parse", "MERGE_HEAD"], { cwd: worktree })).toBe(mainHead);
    expect(await readFile(join(worktree, "shared.txt"), "utf8")).toMatch(/^<{7} /m);
    const refs = (await git(["for-each-ref", "--format=%(refname)", "refs/grove/archive/"])).split("\n").filter(Boolean);
    const snapshot = refs.at(-1) ?? "";
    expect(await git(["show", `${snapshot}:shared.txt`])).toMatch(/^<{7} /m);
    expect(await git(["show", `${snapshot}:notes/task-r-review.md`])).toContain("- round 2: the merge conflicted");
    expect(
      second.lines.some((line) =>
        line.startsWith(
          `conflicts unresolved: shared.txt. The worktree is left as it is; a snapshot of it is kept in ${snapshot}`,
        ),
      ),
    ).toBe(true);

    // Sent back again: the unresolved merge is undone (its state kept), the integration head merged anew.
    const third = await session.round("still conflicted: fix it", { ...SEND_BACK, number: 3 });
    expect(third.state, third.error).toBe("succeeded");
    expect(third.prepared).toMatchObject({ abortedMerge: true, integration: { outcome: "conflict", files: ["shared.txt"] } });
    expect(await git(["show", `${String(third.prepared?.keptRef)}:shared.txt`])).toMatch(/^<{7} /m);
    const resolved = await git(["show", `${session.branch}:shared.txt`]);
    expect(resolved).toContain("main's own line");
    expect(resolved).not.toMatch(/^(<{7}|={7}|>{7})/m);
  });
});
