import type { z } from "zod";

// The fields of the dashboard's forms, named as their labels name them; any other path is shown as it is.
const FIELD_LABELS: Record<string, string> = {
  tasks: "Tasks",
  budget: "Budget",
  "budget.usd": "Budget (USD)",
  "budget.tokens": "Budget (tokens)",
};

/** Where an issue is, in the words of the form: "Task 2" for anything within a task (its messages name the field). */
function labelOf(path: readonly PropertyKey[]): string | null {
  if (path.length === 0) return null;
  const [head, index] = path;
  if (head === "tasks" && typeof index === "number") return `Task ${index + 1}`;
  const dotted = path.map(String).join(".");
  return FIELD_LABELS[dotted] ?? dotted;
}

// Problems are listed as the session form lays its fields out: the tasks first, then the budget.
const FORM_ORDER = ["tasks", "budget"];
const rankOf = (issue: z.core.$ZodIssue) => {
  const rank = FORM_ORDER.indexOf(String(issue.path[0]));
  return rank === -1 ? FORM_ORDER.length : rank;
};

const withStop = (message: string) => (/[.!?]$/.test(message) ? message : `${message}.`);

/** A refused input as a user reads it: one line per problem, "<field>: <what is wrong>", without zod's markup. */
export function describeInvalidInput(error: z.ZodError): string {
  return error.issues
    .toSorted((a, b) => rankOf(a) - rankOf(b))
    .map((issue) => {
      const label = labelOf(issue.path);
      return withStop(label ? `${label}: ${issue.message}` : issue.message);
    })
    .join("\n");
}
