import type { LogLine } from "@grove/core";
import type { StreamEvent } from "../../lib/log/stream-json.ts";

export const ROW_HEIGHT = 20;

const STREAM_TONE: Record<string, string> = {
  stderr: "text-red-300",
  test: "text-violet-300",
  system: "text-sky-300",
  stdout: "text-stone-100",
};
const EVENT_TONE: Record<StreamEvent["kind"], string> = {
  system: "bg-sky-900 text-sky-200",
  text: "bg-stone-700 text-stone-100",
  tool: "bg-amber-900 text-amber-200",
  "tool-result": "bg-stone-800 text-stone-300",
  result: "bg-emerald-900 text-emerald-200",
  error: "bg-red-900 text-red-200",
};

/** One fixed-height row of the virtual log: coloured ANSI, or stream-json events in structured mode. */
export function LogRow({
  seq,
  line,
  html,
  events,
  top,
  isSelected,
  isMatch,
  onSelect,
}: {
  seq: number;
  line: LogLine | undefined;
  html: string;
  events: StreamEvent[] | null;
  top: number;
  isSelected: boolean;
  isMatch: boolean;
  onSelect: (seq: number) => void;
}) {
  const tone = isSelected ? "bg-stone-700" : isMatch ? "bg-amber-900/60" : "";
  return (
    <div
      data-seq={seq}
      className={`log-line absolute left-0 flex min-w-full cursor-pointer pr-2 hover:bg-stone-800 ${tone}`}
      style={{ top, height: ROW_HEIGHT }}
      onClick={() => onSelect(seq)}
    >
      <span className="sticky left-0 w-14 shrink-0 bg-inherit pr-2 text-right text-stone-500 select-none" aria-hidden="true">
        {seq}
      </span>
      {!line ? (
        <span className="text-stone-600">…</span>
      ) : events ? (
        <span className="flex gap-2">
          {events.map((e, i) => (
            <span key={i} className="flex gap-1.5">
              <span className={`rounded px-1 ${EVENT_TONE[e.kind]}`}>{e.label}</span>
              <span className="text-stone-200">{e.text}</span>
            </span>
          ))}
        </span>
      ) : (
        // renderAnsiRow renders each row on its own and escapes all text; links only if http(s).
        <span className={STREAM_TONE[line.stream] ?? ""} dangerouslySetInnerHTML={{ __html: html }} />
      )}
    </div>
  );
}
