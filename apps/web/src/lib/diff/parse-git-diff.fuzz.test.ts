import { runGit } from "@grove/core/node";
import { fuzzParameters, makeTempRepo } from "@grove/core/test-support";
import fc from "fast-check";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseGitDiff } from "./parse-git-diff.ts";

type ExpectedFile = { path: string; lines: string[]; added: number; removed: number };

// Hunk lines whose text looks like a header once its +, - or space is put in front.
const trickyText = fc.constantFrom(
  "-- x",
  "++ y",
  "--",
  "++",
  "-",
  "+",
  "diff --git a/x b/x",
  "index 0000000..1111111",
  "@@ -1 +1 @@",
  "\\ No newline at end of file",
  "",
);
const lineText = fc.oneof(
  trickyText,
  fc.string({ unit: "binary", maxLength: 20 }).map((s) => s.replace(/[\n\r]/g, "")),
);
const op = fc.record({ kind: fc.constantFrom(" ", "+", "-"), text: lineText });
const component = fc
  .string({ unit: fc.constantFrom(..."abz09_-. ", '"', "\\", "\t", "é", "🌳", "\u0001"), minLength: 1, maxLength: 8 })
  .filter((c) => c !== "." && c !== ".." && !c.endsWith(" ") && !c.startsWith(" "));
const path = fc.array(component, { minLength: 1, maxLength: 3 }).map((parts) => parts.join("/"));
const file = fc.record({
  path,
  kind: fc.constantFrom("modified", "new", "deleted"),
  hunks: fc.array(fc.array(op, { minLength: 1, maxLength: 8 }), { minLength: 1, maxLength: 3 }),
  noNewline: fc.boolean(),
});

/** A name as git writes it in a diff: C-quoted, bytes over 0x7f in octal, when it holds anything unusual. */
function quoted(name: string): string {
  const isPlain = (c: string) => c !== '"' && c !== "\\" && (c.codePointAt(0) ?? 0) >= 0x20 && (c.codePointAt(0) ?? 0) < 0x7f;
  if ([...name].every(isPlain)) return name;
  const escapes: Record<string, string> = { "\t": "\\t", "\n": "\\n", '"': '\\"', "\\": "\\\\" };
  let out = "";
  for (const byte of new TextEncoder().encode(name)) {
    const char = String.fromCharCode(byte);
    out += escapes[char] ?? (byte < 0x20 || byte >= 0x7f ? `\\${byte.toString(8).padStart(3, "0")}` : char);
  }
  return `"${out}"`;
}

type GeneratedFile = { path: string; kind: string; hunks: { kind: string; text: string }[][]; noNewline: boolean };

/** A diff as `git diff` writes it, and what the parser must read back from it. */
function render(files: GeneratedFile[]): { patch: string; expected: ExpectedFile[] } {
  const out: string[] = [];
  const expected: ExpectedFile[] = [];
  for (const f of files) {
    const side = (prefix: string) => {
      const q = quoted(`${prefix}/${f.path}`);
      return q.startsWith('"') || !q.includes(" ") ? q : `${q}\t`;
    };
    out.push(`diff --git ${quoted(`a/${f.path}`)} ${quoted(`b/${f.path}`)}`);
    const lines: string[] = [];
    if (f.kind !== "modified") lines.push(`${f.kind} file mode 100644`);
    out.push(
      ...lines,
      "index 1111111..2222222",
      `--- ${f.kind === "new" ? "/dev/null" : side("a")}`,
      `+++ ${f.kind === "deleted" ? "/dev/null" : side("b")}`,
    );
    let added = 0;
    let removed = 0;
    f.hunks.forEach((hunk, h) => {
      const ops = hunk.map((o) => (f.kind === "new" ? { ...o, kind: "+" } : f.kind === "deleted" ? { ...o, kind: "-" } : o));
      const oldCount = ops.filter((o) => o.kind !== "+").length;
      const newCount = ops.filter((o) => o.kind !== "-").length;
      const range = (start: number, count: number) => (count === 1 ? `${start}` : `${count === 0 ? 0 : start},${count}`);
      const header = `@@ -${range(h * 100 + 1, oldCount)} +${range(h * 100 + 1, newCount)} @@ section`;
      const body = ops.map((o) => `${o.kind}${o.text}`);
      if (f.noNewline && h === f.hunks.length - 1) body.push("\\ No newline at end of file");
      lines.push(header, ...body);
      out.push(header, ...body);
      added += ops.filter((o) => o.kind === "+").length;
      removed += ops.filter((o) => o.kind === "-").length;
    });
    expected.push({ path: f.path, lines, added, removed });
  }
  return { patch: `${out.join("\n")}\n`, expected: expected.map((e) => ({ ...e, lines: e.lines })) };
}

const diffFiles = fc.uniqueArray(file, { minLength: 1, maxLength: 4, selector: (f) => f.path });

describe("unified diff parser (property)", () => {
  it("reads back every file, path, line and count of a generated git diff", () => {
    fc.assert(
      fc.property(diffFiles, (files) => {
        const { patch, expected } = render(files);
        const parsed = parseGitDiff(patch).map((f) => ({ ...f, lines: f.lines.map((l) => l.text) }));
        expect(parsed).toEqual(expected);
      }),
      fuzzParameters(),
    );
  });

  it("never throws on any text, a diff cut anywhere included, and never counts more than it was given", () => {
    const text = fc.oneof(
      diffFiles.chain((files) => fc.nat().map((at) => render(files).patch.slice(0, at % (render(files).patch.length + 1)))),
      fc.string({
        unit: fc.constantFrom("diff --git ", "@@ -1,2 +1 @@", "--- ", "+++ ", "+", "-", " ", "\n", '"', "\\", "a/", " b/", "x"),
        maxLength: 60,
      }),
      fc.string({ unit: "binary", maxLength: 300 }),
    );
    fc.assert(
      fc.property(text, (patch) => {
        const files = parseGitDiff(patch);
        const lineCount = patch.split("\n").length;
        expect(files.reduce((n, f) => n + f.lines.length, 0)).toBeLessThanOrEqual(lineCount);
        for (const f of files) expect(f.added + f.removed).toBeLessThanOrEqual(f.lines.length);
      }),
      fuzzParameters(),
    );
  });

  it("agrees with real git on the files and the added and removed lines of each (git diff --numstat)", async () => {
    const repo = await makeTempRepo();
    try {
      const content = fc.array(lineText, { maxLength: 6 }).map((lines) => lines.join("\n"));
      const names = fc.uniqueArray(
        fc.constantFrom("plain.txt", "with space.txt", "é.txt", 'quo"te.txt', "dir/nested.md", "tab\there.txt"),
        { minLength: 1, maxLength: 4 },
      );
      await fc.assert(
        fc.asyncProperty(
          names,
          fc.array(fc.tuple(content, content), { minLength: 4, maxLength: 4 }),
          async (picked, contents) => {
            await runGit(["rm", "-rq", "--ignore-unmatch", "--", "."], { cwd: repo.dir });
            for (const [i, name] of picked.entries()) await writeIn(repo.dir, name, contents[i]?.[0] ?? "");
            await runGit(["add", "-A"], { cwd: repo.dir });
            await runGit(["commit", "-q", "--allow-empty", "-m", "before"], { cwd: repo.dir });
            for (const [i, name] of picked.entries()) await writeIn(repo.dir, name, contents[i]?.[1] ?? "");
            await runGit(["add", "-A"], { cwd: repo.dir });
            await runGit(["commit", "-q", "--allow-empty", "-m", "after"], { cwd: repo.dir });
            // The runner's own diff command (runner-queries.ts), and git's own count of each file's lines.
            const patch = await runGit(["diff", "--no-color", "--no-ext-diff", "--no-textconv", "HEAD~1", "HEAD", "--"], {
              cwd: repo.dir,
            });
            const numstat = await runGit(["diff", "--numstat", "-z", "HEAD~1", "HEAD", "--"], { cwd: repo.dir });
            const counts = numstat.stdout
              .split("\0")
              .filter(Boolean)
              .map((entry) => {
                const [, added, removed, name] = /^([^\t]*)\t([^\t]*)\t(.*)$/s.exec(entry) ?? [];
                // A binary file ("-" in numstat) has no lines in the patch.
                return { path: name ?? "", added: Number(added) || 0, removed: Number(removed) || 0 };
              });
            const parsed = parseGitDiff(patch.stdout).map(({ path: p, added, removed }) => ({ path: p, added, removed }));
            expect(parsed).toEqual(counts);
          },
        ),
        fuzzParameters(0.01),
      );
    } finally {
      await repo.cleanup();
    }
  });
});

async function writeIn(dir: string, name: string, text: string): Promise<void> {
  const target = join(dir, name);
  await mkdir(dirname(target), { recursive: true });
  await rm(target, { force: true });
  await writeFile(target, text);
}
