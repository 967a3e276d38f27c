"use client";
import { useEffect, useMemo, useRef, useState } from "react";
import { AnsiUp } from "ansi_up";
import { useRunLog } from "../lib/use-run-log.ts";

const STREAM_TONE: Record<string, string> = {
  stderr: "text-red-300",
  test: "text-violet-300",
  system: "text-sky-300",
  stdout: "text-stone-100",
};

export function LogView({ runId, label }: { runId: string; label: string }) {
  const { lines, truncated } = useRunLog(runId);
  const [follow, setFollow] = useState(true);
  const box = useRef<HTMLDivElement>(null);
  const ansi = useMemo(() => {
    const converter = new AnsiUp();
    converter.use_classes = false;
    return converter;
  }, []);

  useEffect(() => {
    if (follow && box.current) box.current.scrollTop = box.current.scrollHeight;
  }, [lines, follow]);

  return (
    <div>
      <div className="mb-1 flex items-center gap-2 text-xs text-stone-500">
        <span>{lines.length} lines{truncated ? " (older lines trimmed)" : ""}</span>
        <label className="ml-auto flex items-center gap-1">
          <input type="checkbox" checked={follow} onChange={(e) => setFollow(e.target.checked)} /> Follow
        </label>
      </div>
      <div
        ref={box}
        role="log"
        aria-label={label}
        aria-live="polite"
        className="max-h-72 overflow-auto rounded-lg bg-stone-950 p-2 text-xs leading-5"
      >
        {lines.length === 0 && <div className="text-stone-500">Waiting for output…</div>}
        {lines.map((line) => (
          <div
            key={line.seq}
            className={`log-line ${STREAM_TONE[line.stream] ?? ""}`}
            // ansi_up escapes HTML before adding colour spans.
            dangerouslySetInnerHTML={{ __html: ansi.ansi_to_html(line.text) }}
          />
        ))}
      </div>
    </div>
  );
}
