"use client";
import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "../lib/trpc.ts";
import { StateBadge } from "./state-badge.tsx";
import { Empty } from "./ui/feedback.tsx";
import { formatDuration } from "./ui/time.tsx";
import { stripAnsiRow } from "../lib/log/ansi-tokens.ts";

/** The test command's verdict and its own output (the log lines of the "test" stream). */
export function RunTests({
  runId,
  status,
  exitCode,
  durationMs,
}: {
  runId: string;
  status: string | null;
  exitCode: number | null;
  durationMs: number | null;
}) {
  const trpc = useTRPC();
  const output = useQuery(trpc.run.log.list.queryOptions({ runId, afterSeq: 0, limit: 2000, stream: "test" }));
  return (
    <div className="space-y-3 text-sm">
      <p className="flex flex-wrap items-center gap-2">
        {status ? <StateBadge state={status} label={`tests ${status}`} /> : <span>Tests have not run yet.</span>}
        {exitCode !== null && <span className="text-stone-500">exit code {exitCode}</span>}
        {durationMs !== null && <span className="text-stone-500">{formatDuration(durationMs)}</span>}
      </p>
      {output.data?.lines.length === 0 && <Empty>No test output.</Empty>}
      {output.data && output.data.lines.length > 0 && (
        <pre
          aria-label="Test output"
          className="max-h-[50vh] overflow-auto rounded-xl bg-stone-950 p-3 text-xs leading-5 text-violet-200"
        >
          {output.data.lines.map((l) => stripAnsiRow(l.text)).join("\n")}
        </pre>
      )}
      {output.data && output.data.nextAfterSeq !== null && (
        <p className="text-stone-500">The test output goes on: the rest is in the log.</p>
      )}
    </div>
  );
}
