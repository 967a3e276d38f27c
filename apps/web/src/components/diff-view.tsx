"use client";
import { useState } from "react";
import { parseGitDiff, type DiffLine, type DiffLineKind } from "../lib/diff/parse-git-diff.ts";
import { Button } from "./ui/button.tsx";

const MAX_LINES = 4000;

const TONES: Record<DiffLineKind, string> = {
  add: "bg-emerald-950/70 text-emerald-200",
  del: "bg-red-950/70 text-red-200",
  hunk: "text-sky-300",
  context: "text-stone-300",
  meta: "text-stone-300",
  note: "text-stone-300",
};

/** Tapping a line of the new side picks it for a comment (review rounds); picked lines are marked. */
export type LinePicker = { onPick: (file: string, line: number) => void; isPicked: (file: string, line: number) => boolean };

/** A unified diff, file by file; very large diffs render their first lines until asked for all. */
export function DiffView({ patch, isTruncated, picker }: { patch: string; isTruncated: boolean; picker?: LinePicker }) {
  const [showAll, setShowAll] = useState(false);
  const files = parseGitDiff(patch);
  let budget = showAll ? Number.POSITIVE_INFINITY : MAX_LINES;
  return (
    <div className="space-y-3">
      {files.map((file) => {
        const shown = file.lines.slice(0, Math.max(0, budget));
        budget -= shown.length;
        return (
          <details key={file.path} open className="overflow-hidden rounded-xl border border-stone-200 dark:border-stone-800">
            <summary className="flex cursor-pointer flex-wrap items-center gap-2 bg-stone-100 px-3 py-2 text-xs dark:bg-stone-900">
              <code className="min-w-0 break-all font-semibold">{file.path}</code>
              <span className="ml-auto text-emerald-700 dark:text-emerald-400">+{file.added}</span>
              <span className="text-red-700 dark:text-red-400">−{file.removed}</span>
            </summary>
            <pre className="overflow-x-auto bg-stone-950 py-1 text-xs leading-5">
              {shown.map((line, i) =>
                picker && line.newLine !== undefined ? (
                  <PickableLine key={i} file={file.path} line={line} picker={picker} />
                ) : (
                  <div key={i} className={`px-3 ${TONES[line.kind]}`}>
                    {line.text || " "}
                  </div>
                ),
              )}
            </pre>
          </details>
        );
      })}
      {budget < 0 || (!showAll && files.reduce((n, f) => n + f.lines.length, 0) > MAX_LINES) ? (
        <Button onClick={() => setShowAll(true)}>Show the whole diff</Button>
      ) : null}
      {isTruncated && <p className="text-xs text-stone-500">The diff is longer than 1 MB; the rest is cut off here.</p>}
    </div>
  );
}

function PickableLine({ file, line, picker }: { file: string; line: DiffLine; picker: LinePicker }) {
  const number = line.newLine ?? 0;
  const isPicked = picker.isPicked(file, number);
  return (
    <button
      type="button"
      aria-label={`Comment on ${file} line ${number}`}
      aria-pressed={isPicked}
      onClick={() => picker.onPick(file, number)}
      className={`block w-full px-3 text-left ${TONES[line.kind]} ${isPicked ? "outline outline-2 -outline-offset-2 outline-amber-400" : ""}`}
    >
      {line.text || " "}
    </button>
  );
}
