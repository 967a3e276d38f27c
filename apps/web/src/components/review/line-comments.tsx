"use client";
import { useState } from "react";
import { Button } from "../ui/button.tsx";
import { INPUT_CLASS } from "../ui/field.tsx";

export type LineComment = { file: string; line: number; body: string };

/** The comment being written on one picked line of the diff. */
export function LineCommentDraft({
  file,
  line,
  onAdd,
  onCancel,
}: {
  file: string;
  line: number;
  onAdd: (body: string) => void;
  onCancel: () => void;
}) {
  const [body, setBody] = useState("");
  const add = () => {
    if (body.trim()) onAdd(body.trim());
  };
  return (
    <div
      role="group"
      aria-label={`Comment on ${file}:${line}`}
      className="rounded-xl border border-amber-300 p-2 dark:border-amber-800"
    >
      <p className="mb-1 text-xs text-stone-500">
        <code className="break-all">
          {file}:{line}
        </code>
      </p>
      <textarea
        aria-label={`Comment on ${file} line ${line}`}
        rows={2}
        maxLength={4000}
        autoFocus
        value={body}
        onChange={(e) => setBody(e.target.value)}
        className={`${INPUT_CLASS} mt-0`}
      />
      <div className="mt-2 flex gap-2">
        <Button size="sm" variant="primary" disabled={!body.trim()} onClick={add}>
          Add comment
        </Button>
        <Button size="sm" variant="ghost" onClick={onCancel}>
          Cancel
        </Button>
      </div>
    </div>
  );
}

/** Line comments added so far, each removable before sending. */
export function LineCommentList({ comments, onRemove }: { comments: LineComment[]; onRemove: (index: number) => void }) {
  if (comments.length === 0) return null;
  return (
    <ul aria-label="Line comments" className="space-y-1 text-sm">
      {comments.map((c, i) => (
        <li key={`${c.file}:${c.line}:${i}`} className="flex items-start gap-2 rounded-lg bg-stone-50 p-2 dark:bg-stone-950">
          <span className="min-w-0 flex-1">
            <code className="break-all text-xs">
              {c.file}:{c.line}
            </code>{" "}
            {c.body}
          </span>
          <Button size="sm" variant="ghost" aria-label={`Remove the comment on ${c.file}:${c.line}`} onClick={() => onRemove(i)}>
            ✕
          </Button>
        </li>
      ))}
    </ul>
  );
}
