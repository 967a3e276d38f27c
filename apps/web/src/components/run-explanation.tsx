import { describeRunState } from "@grove/core/lifecycle-states";

// Nothing went wrong with grove or the tests in these: the agent changed nothing, or waited for a person.
const TONES: Record<string, { tone: string; heading: string }> = {
  no_changes: { tone: "text-stone-700 dark:text-stone-300", heading: "Nothing to merge" },
  needs_input: { tone: "text-amber-800 dark:text-amber-300", heading: "The agent needs a person" },
};
const ERROR_TONE = "text-red-700 dark:text-red-400";

/** Why a run ended as it did, in the run's own words; red only when something failed. */
export function RunExplanation({ state, error, compact = false }: { state: string; error: string | null; compact?: boolean }) {
  if (!error) return null;
  const unlanded = TONES[state];
  const size = compact ? "mb-2 text-xs" : "mt-2 text-sm";
  // The runner's explanation begins with the state's own label ("no changes: …"): said once, in the heading.
  const label = describeRunState(state);
  if (!unlanded) return <p className={`${size} ${ERROR_TONE}`}>{error}</p>;
  return (
    <p className={`${size} ${unlanded.tone}`}>
      <span className="font-medium">
        {unlanded.heading} ({label}):
      </span>{" "}
      {error.startsWith(`${label}: `) ? error.slice(label.length + 2) : error}
    </p>
  );
}
