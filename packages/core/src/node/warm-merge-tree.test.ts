import { spawn } from "node:child_process";
import { readFile, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { exists } from "../test-support/merge-fixtures.ts";
import { makeTempRepo, type TempRepo } from "../test-support/temp-repo.ts";
import { isPidAlive } from "./lock-file.ts";
import { removeStaleMergeTrees } from "./stale-merge-trees.ts";
import { testMergedTree, type MergedTreeTestInput } from "./test-merged-tree.ts";
import { removeWarmMergeTrees } from "./warm-merge-trees.ts";
import { WARM_POOL_DIR } from "./warm-tree-pool.ts";

let repo: TempRepo;
beforeEach(async () => {
  repo = await makeTempRepo({ files: { "a.txt": "one\n", "b.txt": "bee\n", ".gitignore": "node_modules/\nignored-out/\n" } });
});
afterEach(() => repo.cleanup());

const node = `"${process.execPath}"`;
/** A test command that prints its folder and what it sees of a.txt, b.txt, c.txt and the files earlier tests wrote. */
const LOOK = `${node} -e "const fs=require('fs');const r=(f)=>fs.existsSync(f)?fs.readFileSync(f,'utf8').trim():'-';console.log(process.cwd());console.log(['a.txt','b.txt','c.txt','out.txt','ignored-out/x'].map(r).join(' '))"`;

async function commit(files: Record<string, string | null>, message: string): Promise<string> {
  for (const [path, content] of Object.entries(files)) {
    if (content === null) await repo.git(["rm", "-q", "--", path]);
    else await repo.write({ [path]: content });
  }
  await repo.git(["add", "-A"]);
  await repo.git(["commit", "-q", "-m", message]);
  return repo.git(["rev-parse", "HEAD"]);
}

function warmTest(sha: string, test: string, extra: Partial<MergedTreeTestInput> = {}) {
  return testMergedTree({ repo: repo.dir, sha, test, env: { PATH: process.env.PATH }, warm: { integration: "main" }, ...extra });
}

/** The test's folder and what it saw, from a LOOK test's output. */
function seen(outputTail: string): { cwd: string; files: string } {
  const lines = outputTail.split("\n").filter((line) => !line.startsWith("("));
  return { cwd: lines[0] ?? "", files: lines[1] ?? "" };
}

describe("a warm merge tree", () => {
  it("is reused and shows each candidate exactly: a file changed, one deleted, one added", async () => {
    const first = await repo.git(["rev-parse", "HEAD"]);
    const second = await commit({ "a.txt": "two\n", "b.txt": null, "c.txt": "sea\n" }, "change, delete, add");
    const one = await warmTest(first, LOOK);
    const two = await warmTest(second, LOOK);
    const back = await warmTest(first, LOOK);
    expect([one.status, two.status, back.status]).toEqual(["passed", "passed", "passed"]);
    expect(seen(one.outputTail).cwd).toContain(`/${WARM_POOL_DIR}/`);
    expect(seen(two.outputTail).cwd).toBe(seen(one.outputTail).cwd);
    expect(seen(one.outputTail).files).toBe("one bee - - -");
    expect(seen(two.outputTail).files).toBe("two - sea - -");
    expect(seen(back.outputTail).files).toBe("one bee - - -");
    expect(one.outputTail).toContain("(a new warm tree: there was no tree in this slot yet)");
    expect([two.outputTail, back.outputTail].join("\n")).not.toContain("(a new warm tree");
    expect(await exists(seen(one.outputTail).cwd)).toBe(true);
  });

  it("refuses a candidate that is not a full commit SHA, before anything is made", async () => {
    await expect(warmTest("--output=/tmp/x", LOOK)).rejects.toThrow(/not a full commit SHA/);
    await expect(warmTest("HEAD", LOOK)).rejects.toThrow(/not a full commit SHA/);
    expect(await exists(join(repo.root, WARM_POOL_DIR))).toBe(false);
  });

  it("forgets what a test wrote: untracked and ignored files go, edited tracked files are restored", async () => {
    const sha = await repo.git(["rev-parse", "HEAD"]);
    const write = `${node} -e "const fs=require('fs');fs.writeFileSync('out.txt','left');fs.mkdirSync('ignored-out');fs.writeFileSync('ignored-out/x','left');fs.writeFileSync('a.txt','edited');fs.unlinkSync('b.txt')"`;
    expect((await warmTest(sha, write)).status).toBe("passed");
    const after = await warmTest(sha, LOOK);
    expect(seen(after.outputTail)).toEqual({
      cwd: expect.stringContaining(`/${WARM_POOL_DIR}/`) as string,
      files: "one bee - - -",
    });
    expect(after.outputTail).not.toContain("(a new warm tree");
  });

  it("runs setup again only when its inputs change, and keeps what setup produced otherwise", async () => {
    const marker = join(repo.root, "setup-runs");
    await writeFile(marker, "");
    const setup = `${node} -e "const fs=require('fs');fs.appendFileSync('${marker}','x');fs.mkdirSync('node_modules/dep',{recursive:true});fs.writeFileSync('node_modules/dep/index.js','module.exports='+JSON.stringify(fs.readFileSync('package-lock.json','utf8').trim()))"`;
    const test = `${node} -e "console.log(process.cwd()); console.log('dep ' + require('dep'))"`;
    const runs = async () => (await readFile(marker, "utf8")).length;
    const first = await commit({ "package-lock.json": "v1\n" }, "lockfile v1");
    const other = await commit({ "a.txt": "not a setup input\n" }, "a source change");
    const relocked = await commit({ "package-lock.json": "v2\n" }, "lockfile v2");

    expect((await warmTest(first, test, { setup })).outputTail).toContain("dep v1");
    expect(await runs()).toBe(1);
    expect((await warmTest(other, test, { setup })).outputTail).toContain("dep v1");
    expect(await runs()).toBe(1);
    expect((await warmTest(relocked, test, { setup })).outputTail).toContain("dep v2");
    expect(await runs()).toBe(2);
    // Back to the old lockfile: the dependencies of v2 must not stand for it.
    const back = await warmTest(other, test, { setup });
    expect(back.outputTail).toContain("dep v1");
    expect(await runs()).toBe(3);
    // Its output deleted by hand: setup runs again rather than the test failing on what is missing.
    await rm(join(seen(back.outputTail).cwd, "node_modules"), { recursive: true, force: true });
    expect((await warmTest(other, test, { setup })).outputTail).toContain("dep v1");
    expect(await runs()).toBe(4);
  });

  it("runs setup again when a script its command names changes, though no lockfile did", async () => {
    // `setup: sh scripts/setup.sh`: what setup produces is that script's doing, so its content is an input.
    const script = (stamp: string) =>
      `require('fs').mkdirSync('node_modules',{recursive:true});require('fs').writeFileSync('node_modules/stamp','${stamp}')`;
    const setup = `${node} ./scripts/setup.js`;
    const test = `${node} -e "console.log('stamp ' + require('fs').readFileSync('node_modules/stamp','utf8'))"`;
    const first = await commit({ "scripts/setup.js": script("one") }, "setup script one");
    const changed = await commit({ "scripts/setup.js": script("two") }, "setup script two");

    expect((await warmTest(first, test, { setup })).outputTail).toContain("stamp one");
    expect((await warmTest(changed, test, { setup })).outputTail).toContain("stamp two");
  });

  it("gives two concurrent tests two different trees", async () => {
    const sha = await repo.git(["rev-parse", "HEAD"]);
    const barrier = join(repo.root, "barrier");
    // Each test waits until both have started, so they really run at the same time.
    const test = `${node} -e "const fs=require('fs');fs.mkdirSync('${barrier}',{recursive:true});fs.writeFileSync('${barrier}/'+process.pid,'');const t=setInterval(()=>{if(fs.readdirSync('${barrier}').length>=2){clearInterval(t);console.log(process.cwd())}},20)"`;
    const [one, two] = await Promise.all([warmTest(sha, test), warmTest(sha, test)]);
    expect([one.status, two.status]).toEqual(["passed", "passed"]);
    expect(one.outputTail).toContain(`/${WARM_POOL_DIR}/`);
    expect(two.outputTail).toContain(`/${WARM_POOL_DIR}/`);
    expect(one.outputTail).not.toBe(two.outputTail);
  });

  it("left mid-test by a process killed -9 is kept by the stale-tree sweep and busy while its test runs on, then reset and reused", async () => {
    const first = await repo.git(["rev-parse", "HEAD"]);
    const second = await commit({ "a.txt": "two\n" }, "second");
    const tree = seen((await warmTest(first, LOOK)).outputTail).cwd;
    const script = fileURLToPath(new URL("../test-support/hang-merge-test.ts", import.meta.url));
    const child = spawn(process.execPath, ["--import", "tsx", script, repo.dir, first, "main"], {
      cwd: dirname(script),
      stdio: ["ignore", "pipe", "inherit"],
    });
    const testPid = await new Promise<number>((resolve) => {
      let out = "";
      child.stdout.on("data", (chunk: Buffer) => {
        out += chunk.toString();
        const match = /started (\d+)/.exec(out);
        if (match?.[1]) resolve(Number(match[1]));
      });
    });
    child.kill("SIGKILL");
    await new Promise((resolve) => child.once("exit", resolve));
    // The test it started runs on in the tree: that tree is not handed to the next test, nor removed.
    const meanwhile = await warmTest(second, LOOK);
    expect(seen(meanwhile.outputTail).cwd).not.toBe(tree);
    expect(await removeWarmMergeTrees(repo.dir)).toEqual([seen(meanwhile.outputTail).cwd]);
    process.kill(testPid, "SIGKILL");
    await waitUntil(() => !isPidAlive(testPid));
    await writeFile(join(tree, "out.txt"), "partial output\n");
    await writeFile(join(tree, "a.txt"), "half-edited\n");
    await writeFile(join(await gitDir(tree), "index.lock"), "");

    expect(await removeStaleMergeTrees(repo.dir)).toEqual([]);
    expect(await exists(tree)).toBe(true);
    const next = await warmTest(second, LOOK);
    expect(next.status).toBe("passed");
    expect(seen(next.outputTail)).toEqual({ cwd: tree, files: "two bee - - -" });
    expect(next.outputTail).not.toContain("(a new warm tree");
    // What the killed test left is kept under refs/grove/merge-test/, not silently lost.
    const refs = await repo.git(["for-each-ref", "--format=%(refname)", "refs/grove/merge-test/"]);
    expect(await repo.git(["show", `${refs.split("\n")[0] ?? ""}:out.txt`])).toBe("partial output");
  });
});

async function gitDir(tree: string): Promise<string> {
  return repo.git(["rev-parse", "--absolute-git-dir"], { cwd: tree });
}

async function waitUntil(check: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((r) => setTimeout(r, 20));
}
