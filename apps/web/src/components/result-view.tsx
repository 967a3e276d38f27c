import type { Result } from "@grove/core";
import { StateBadge } from "./state-badge.tsx";
import { Empty } from "./ui/feedback.tsx";

/** The agent's RESULT: status, summary, what it learned (for the brain), files, follow-ups. */
export function ResultView({ result, error }: { result: Result | null; error: string | null }) {
  if (error) return <p className="text-sm text-red-700 dark:text-red-400">RESULT problem: {error}</p>;
  if (!result) return <Empty>The agent has not reported a RESULT (yet).</Empty>;
  return (
    <div className="space-y-4 text-sm">
      <div className="flex items-center gap-2">
        <StateBadge state={result.status === "done" ? "succeeded" : result.status} label={`result ${result.status}`} />
      </div>
      <p className="whitespace-pre-wrap">{result.summary}</p>
      {result.learnings.length > 0 && (
        <div>
          <h3 className="mb-1 font-semibold">Learnings</h3>
          <ul className="space-y-2">
            {result.learnings.map((l, i) => (
              <li key={i} className="rounded-lg border border-stone-200 p-2 dark:border-stone-800">
                <p className="font-medium">{l.title}</p>
                <p className="whitespace-pre-wrap text-stone-600 dark:text-stone-400">{l.body}</p>
                {l.tags && l.tags.length > 0 && (
                  <p className="mt-1 text-xs text-stone-500">{l.tags.map((t) => `#${t}`).join(" ")}</p>
                )}
              </li>
            ))}
          </ul>
        </div>
      )}
      {result.files && result.files.length > 0 && (
        <div>
          <h3 className="mb-1 font-semibold">Files</h3>
          <ul className="font-mono text-xs">
            {result.files.map((f) => (
              <li key={f}>{f}</li>
            ))}
          </ul>
        </div>
      )}
      {result.followUps && result.followUps.length > 0 && (
        <div>
          <h3 className="mb-1 font-semibold">Follow-ups</h3>
          <ul className="list-inside list-disc">
            {result.followUps.map((f, i) => (
              <li key={i}>{f}</li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}
