import type { LogLine } from "@grove/core";
import { Button } from "../ui/button.tsx";
import { stripAnsiRow } from "../../lib/log/ansi-tokens.ts";

function pretty(text: string): string | null {
  if (!text.startsWith("{") && !text.startsWith("[")) return null;
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return null;
  }
}

/** The whole of one clicked line, wrapped (rows are one line high), pretty-printed when it is JSON. */
export function SelectedLine({ line, seq, onClose }: { line: LogLine | undefined; seq: number; onClose: () => void }) {
  const text = line ? stripAnsiRow(line.text) : "";
  const json = pretty(text);
  return (
    <section aria-label={`Line ${seq}`} className="mt-2 rounded-xl border border-stone-200 p-3 text-xs dark:border-stone-800">
      <div className="mb-2 flex items-center gap-2 text-stone-500">
        <span>
          Line {seq} · {line?.stream ?? "loading"} · {line ? new Date(line.ts).toLocaleTimeString() : ""}
        </span>
        <Button size="sm" variant="ghost" className="ml-auto" onClick={onClose}>
          Close
        </Button>
      </div>
      <pre className="max-h-64 overflow-auto whitespace-pre-wrap break-all font-mono">{json ?? text}</pre>
    </section>
  );
}
