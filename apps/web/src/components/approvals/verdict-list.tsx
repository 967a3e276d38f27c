import { describeTestStatus } from "@grove/core/labels";
import type { ReactNode } from "react";
import type { RouterOutputs } from "../../lib/trpc.ts";
import { formatDuration } from "../ui/time.tsx";
import { conflictsLine, overlapLine, type VerdictLine, type VerdictTone } from "../../lib/wording/verdict-wording.ts";

type Verdict = RouterOutputs["approval"]["list"][number]["verdict"];
type Tone = VerdictTone;

const TONE: Record<Tone, string> = {
  good: "text-emerald-700 dark:text-emerald-400",
  bad: "text-red-700 dark:text-red-400",
  unknown: "text-stone-500",
  info: "text-stone-700 dark:text-stone-300",
};
const MARK: Record<Tone, string> = { good: "✓ ", bad: "✗ ", unknown: "? ", info: "" };

function Row({ term, tone, children }: { term: string; tone: Tone; children: ReactNode }) {
  return (
    <>
      <dt className="text-stone-500">{term}</dt>
      <dd className={`min-w-0 ${TONE[tone]}`}>
        <span aria-hidden="true">{MARK[tone]}</span>
        {children}
      </dd>
    </>
  );
}

/** An untested head is never "good": nothing checked it; a declared `test: none` is a plain fact. */
function testTone(status: string | null): Tone {
  if (status === "passed") return "good";
  if (status === "failed") return "bad";
  if (status === "none") return "info";
  return "unknown";
}

function LineRow({ term, line }: { term: string; line: VerdictLine }) {
  return (
    <Row term={term} tone={line.tone}>
      {line.text}
    </Row>
  );
}

/** Everything an approver weighs, one line each; "not checked" where the merge gate has no answer. */
export function VerdictList({ verdict, state }: { verdict: Verdict; state: string }) {
  const { tests, predictedConflicts, overlap, brainPolicy, diffStat, mergedTreeTest } = verdict;
  const statLine = diffStat?.trim().split("\n").at(-1)?.trim() ?? "no changes";
  return (
    <dl className="grid grid-cols-[auto_1fr] gap-x-3 gap-y-1 text-sm">
      <Row term="Tests" tone={testTone(tests.status)}>
        {describeTestStatus(tests.status)}
        {tests.durationMs !== null && (tests.status === "passed" || tests.status === "failed")
          ? ` in ${formatDuration(tests.durationMs)}`
          : ""}
      </Row>
      {mergedTreeTest && (
        <Row term="Merged tree" tone={testTone(mergedTreeTest.status)}>
          {describeTestStatus(mergedTreeTest.status)}
          {mergedTreeTest.status === "passed" || mergedTreeTest.status === "failed"
            ? ` in ${formatDuration(mergedTreeTest.durationMs)}`
            : ""}
        </Row>
      )}
      <LineRow term="Conflicts" line={conflictsLine(predictedConflicts, state)} />
      <LineRow term="Overlap" line={overlapLine(overlap, state)} />
      <Row term="Brain" tone={brainPolicy === null ? "unknown" : brainPolicy.isAllowed ? "good" : "bad"}>
        {brainPolicy === null
          ? "not checked"
          : brainPolicy.isAllowed
            ? "policy respected"
            : (brainPolicy.reason ?? `the agent wrote into the brain folder: ${brainPolicy.files.slice(0, 2).join(", ")}`)}
      </Row>
      <Row term="Diff" tone="info">
        {statLine}
      </Row>
    </dl>
  );
}
