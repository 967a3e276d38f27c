/**
 * What a scripted model does, as data: one step per model turn. Each double (Anthropic Messages,
 * OpenAI Responses) turns a step into its own API's tool call, so one script drives either CLI.
 *
 * Strings may hold placeholders the double fills in from what the CLI sent it, the way a careful agent
 * learns them: `{cwd}` (the working directory the CLI states), `{contextPack}` (the path named in
 * "CONTEXT-PACK at …"), `{result}` (the path the CONTEXT-PACK says to write the RESULT to, known once
 * the pack was read); each the last the conversation names. A placeholder not known yet is left as it is.
 */
export type ModelStep =
  | { do: "read"; path: string }
  | { do: "write"; path: string; content: string }
  | { do: "edit"; path: string; find: string; replace: string }
  /** `escalate`: Codex's model asks to run it outside its sandbox (the OpenAI double's approval review denies it). */
  | { do: "run"; command: string; escalate?: boolean }
  /** A call of one of the CLI's own tools by name (Claude Code's: WebFetch, NotebookEdit, …); Codex's double has none. */
  | { do: "tool"; name: string; input: Record<string, string> }
  /** The final answer: the turn ends, and with it the CLI's run. */
  | { do: "say"; text: string }
  /** The API answers this turn with an HTTP error (400: not retried), as a provider refusing a request does. */
  | { do: "refuse"; status: number; message: string };

export type ModelScript = readonly ModelStep[];

export type ScriptFacts = { cwd?: string; contextPack?: string; result?: string };

/**
 * The step for the turn after `toolResults` answered tool calls and `finalAnswers` earlier turns ended with
 * an answer; past the end, a plain final answer. A resumed conversation (a review round) holds the earlier
 * round's tool results and its final answer, so it plays on from the step after that answer: one script
 * covers every round of a conversation.
 */
export function stepAt(script: ModelScript, toolResults: number, finalAnswers = 0): ModelStep {
  return script[toolResults + finalAnswers] ?? { do: "say", text: "Done." };
}

/** The step with its placeholders filled in from the facts the request gave away. */
export function fillStep(step: ModelStep, facts: ScriptFacts): ModelStep {
  const fill = (text: string) =>
    text.replace(/\{(cwd|contextPack|result)\}/g, (match, key: keyof ScriptFacts) => facts[key] ?? match);
  switch (step.do) {
    case "read":
      return { ...step, path: fill(step.path) };
    case "write":
      return { ...step, path: fill(step.path), content: fill(step.content) };
    case "edit":
      return { ...step, path: fill(step.path) };
    case "run":
      return { ...step, command: fill(step.command) };
    case "say":
      return { ...step, text: fill(step.text) };
    case "refuse":
    case "tool":
      return step;
  }
}

/**
 * The CONTEXT-PACK and RESULT paths as the conversation names them (grove's own wording): the last one named,
 * as a model reading a resumed conversation follows its latest message (a review round names its own paths).
 */
export function factsFromText(text: string): ScriptFacts {
  const last = (pattern: RegExp) => [...text.matchAll(pattern)].at(-1)?.[1];
  return {
    contextPack: last(/CONTEXT-PACK at (\S+?\.md)\b/g),
    result: last(/write your RESULT as JSON to `([^`]+)`/g),
  };
}

/** Every string inside a parsed JSON body, joined: the conversation's text without JSON escaping. */
export function allStrings(value: unknown): string {
  if (typeof value === "string") return value;
  if (Array.isArray(value)) return value.map(allStrings).join("\n");
  if (value && typeof value === "object") return Object.values(value).map(allStrings).join("\n");
  return "";
}

/**
 * A careful agent: reads its CONTEXT-PACK, edits a file, runs a command, writes its RESULT, ends.
 * `file` is relative to the worktree; `find` must be in it.
 */
export function carefulAgentScript(o: {
  file: string;
  find: string;
  replace: string;
  command: string;
  summary: string;
}): ModelScript {
  const result = {
    status: "done",
    summary: o.summary,
    learnings: [{ title: "Scripted learning", body: `Edited ${o.file}.` }],
    files: [o.file],
  };
  return [
    { do: "read", path: "{contextPack}" },
    { do: "edit", path: `{cwd}/${o.file}`, find: o.find, replace: o.replace },
    { do: "run", command: o.command },
    { do: "write", path: "{result}", content: JSON.stringify(result, null, 2) },
    { do: "say", text: o.summary },
  ];
}

/**
 * What each streamed turn of a double reports it used, as the real APIs report it: Anthropic's input
 * without the cache reads beside it, OpenAI's input with its cached part inside it (and reasoning inside
 * output). Either way a turn is 1200 tokens in and 40 out.
 */
export const TURN_USAGE = { uncachedInput: 1000, cachedInput: 200, output: 40, reasoning: 8 } as const;
