import { describe, expect, it } from "vitest";
import { parseGitDiff } from "./parse-git-diff.ts";

const sqlPatch = [
  "diff --git a/db/schema.sql b/db/schema.sql",
  "index 1111111..2222222 100644",
  "--- a/db/schema.sql",
  "+++ b/db/schema.sql",
  "@@ -1,3 +1,3 @@",
  " create table t (id int);",
  "-- drop this comment",
  "+++ x",
  " select 1;",
  "",
].join("\n");

describe("parseGitDiff", () => {
  it("keeps a removed line reading '-- …' and an added line reading '++ …' as hunk lines", () => {
    expect(parseGitDiff(sqlPatch)).toEqual([
      {
        path: "db/schema.sql",
        added: 1,
        removed: 1,
        lines: [
          { kind: "hunk", text: "@@ -1,3 +1,3 @@" },
          { kind: "context", text: " create table t (id int);", newLine: 1 },
          { kind: "del", text: "-- drop this comment" },
          { kind: "add", text: "+++ x", newLine: 2 },
          { kind: "context", text: " select 1;", newLine: 3 },
        ],
      },
    ]);
  });

  it("numbers added and context lines as the new file has them, for a comment on a line", () => {
    const patch = [
      "diff --git a/a.ts b/a.ts",
      "--- a/a.ts",
      "+++ b/a.ts",
      "@@ -10,3 +10,3 @@ fn",
      " keep",
      "-old",
      "+new",
      " tail",
    ].join("\n");
    const [file] = parseGitDiff(patch);
    expect(file?.lines.map((line) => [line.kind, line.newLine ?? null])).toEqual([
      ["hunk", null],
      ["context", 10],
      ["del", null],
      ["add", 11],
      ["context", 12],
    ]);
  });

  it("shows a new file's mode and a binary file's note, marks a missing final newline, and names a deleted file by its old side", () => {
    const patch = [
      "diff --git a/new.txt b/new.txt",
      "new file mode 100644",
      "index 0000000..1111111",
      "--- /dev/null",
      "+++ b/new.txt",
      "@@ -0,0 +1 @@",
      "+last",
      "\\ No newline at end of file",
      "diff --git a/logo.png b/logo.png",
      "index 1111111..2222222 100644",
      "Binary files a/logo.png and b/logo.png differ",
      "diff --git a/gone.txt b/gone.txt",
      "deleted file mode 100644",
      "index 1111111..0000000",
      "--- a/gone.txt",
      "+++ /dev/null",
      "@@ -1 +0,0 @@",
      "-old",
    ].join("\n");
    const files = parseGitDiff(patch);
    expect(files.map((f) => f.path)).toEqual(["new.txt", "logo.png", "gone.txt"]);
    expect(files[0]?.lines.map((l) => l.kind)).toEqual(["meta", "hunk", "add", "note"]);
    expect(files[1]?.lines).toEqual([{ kind: "meta", text: "Binary files a/logo.png and b/logo.png differ" }]);
    expect(files[2]).toMatchObject({ added: 0, removed: 1 });
  });

  it("shows a hunk parse-diff cannot read as plain text instead of throwing", () => {
    const patch = "diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -0,0 +0,0 @@\n\\ No newline at end of file";
    expect(parseGitDiff(patch)[0]?.lines.map((l) => l.text)).toEqual(["@@ -0,0 +0,0 @@", "\\ No newline at end of file"]);
  });
});
