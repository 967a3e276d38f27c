// No imports: the dashboard's browser code reads this through `@grove/core/labels` without pulling in zod.

/** How a test gate's status reads wherever it is shown: cards, badges, notifications, CLI summaries. */
export function describeTestStatus(status: string | null | undefined): string {
  switch (status) {
    case "passed":
      return "tests passed";
    case "failed":
      return "tests failed";
    case "untested":
      return "untested: no test command";
    case "none":
      return "no tests (test: none)";
    case "stopped":
      return "tests stopped before they finished";
    case "skipped":
    case null:
    case undefined:
      return "tests not run";
    default:
      return `tests ${status}`;
  }
}
