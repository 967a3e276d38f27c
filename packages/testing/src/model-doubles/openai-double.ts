import type { ServerResponse } from "node:http";
import { isRecord, parseBody, startLoopbackServer, writeJson, writeSse, type LoopbackServer } from "./loopback-server.ts";
import { allStrings, factsFromText, fillStep, stepAt, TURN_USAGE, type ModelScript, type ModelStep } from "./model-script.ts";

/**
 * A scripted OpenAI Responses API on loopback, for the real Codex CLI (a `model_providers` entry with
 * `wire_api = "responses"` and this server's `/v1` as its base_url). Each POST /v1/responses is one
 * turn: the step is chosen by how many tool outputs the conversation holds. Codex 0.169 gives a model
 * it does not know the `exec_command` tool only, so every step is a shell command. Each turn reports
 * TURN_USAGE in `response.completed`, and `streamedTurns` counts them; `textFormats` records the answer
 * format each turn asked for (Codex's --output-schema arrives as a strict json_schema).
 */
export async function startOpenAiDouble(
  script: ModelScript,
): Promise<LoopbackServer & { streamedTurns(): number; textFormats(): unknown[] }> {
  let served = 0;
  let streamed = 0;
  // What each turn asked of the model's answer (`text.format`: a json_schema under --output-schema).
  const textFormats: unknown[] = [];
  const server = await startLoopbackServer((request, res) => {
    served += 1;
    const body = parseBody(request.body);
    if (request.method !== "POST" || !request.url.endsWith("/responses") || !isRecord(body)) {
      writeJson(res, 404, { error: { message: `the model double has no ${request.method} ${request.url}` } });
      return;
    }
    textFormats.push(isRecord(body.text) ? body.text.format : undefined);
    // Codex's approval review (--approve-for-me) asks the same model for a verdict: the double always denies.
    if (isApprovalReview(body)) {
      streamed += 1;
      streamTurn(res, `resp_double_${served}`, { do: "say", text: REVIEW_DENIAL }, served);
      return;
    }
    const text = allStrings(body);
    const cwd = /<cwd>([^<]+)<\/cwd>/.exec(text)?.[1];
    const step = fillStep(stepAt(script, countToolOutputs(body.input)), { cwd, ...factsFromText(text) });
    if (step.do === "refuse")
      writeJson(res, step.status, { error: { type: "invalid_request_error", code: null, param: null, message: step.message } });
    else {
      streamed += 1;
      streamTurn(res, `resp_double_${served}`, step, served);
    }
  });
  return Object.assign(server, { streamedTurns: () => streamed, textFormats: () => [...textFormats] });
}

function streamTurn(res: ServerResponse, id: string, step: Exclude<ModelStep, { do: "refuse" }>, served: number): void {
  const item =
    step.do === "say"
      ? { type: "message", role: "assistant", id: `msg_double_${served}`, content: [{ type: "output_text", text: step.text }] }
      : {
          type: "function_call",
          id: `fc_double_${served}`,
          call_id: `call_double_${served}`,
          name: "exec_command",
          arguments: JSON.stringify({
            cmd: shellCommand(step),
            login: false,
            tty: false,
            yield_time_ms: 30_000,
            ...(step.do === "run" && step.escalate
              ? { sandbox_permissions: "require_escalated", justification: "The task needs this outside the workspace." }
              : {}),
          }),
        };
  writeSse(res, [
    ["response.created", { type: "response.created", response: { id } }],
    ["response.output_item.done", { type: "response.output_item.done", item }],
    [
      "response.completed",
      {
        type: "response.completed",
        response: { id, usage: responseUsage() },
      },
    ],
  ]);
}

function responseUsage() {
  const input = TURN_USAGE.uncachedInput + TURN_USAGE.cachedInput;
  return {
    input_tokens: input,
    input_tokens_details: { cached_tokens: TURN_USAGE.cachedInput },
    output_tokens: TURN_USAGE.output,
    output_tokens_details: { reasoning_tokens: TURN_USAGE.reasoning },
    total_tokens: input + TURN_USAGE.output,
  };
}

// Files are written by node (on the agent's PATH, as grove's own runner needs it), so contents need
// no shell escaping beyond one quoted argument.
const WRITE_FILE = `const fs=require("fs");const [p,c]=JSON.parse(process.argv[1]);fs.writeFileSync(p,c)`;
const EDIT_FILE = `const fs=require("fs");const [p,a,b]=JSON.parse(process.argv[1]);const t=fs.readFileSync(p,"utf8");if(!t.includes(a)){console.error("no match in "+p);process.exit(1)}fs.writeFileSync(p,t.replace(a,()=>b))`;

/** The shell command that does the step, as a model driving codex would write it. */
function shellCommand(step: Exclude<ModelStep, { do: "say" | "refuse" }>): string {
  switch (step.do) {
    case "read":
      return `cat -- ${quote(step.path)}`;
    case "write":
      return `node -e ${quote(WRITE_FILE)} ${quote(JSON.stringify([step.path, step.content]))}`;
    case "edit":
      return `node -e ${quote(EDIT_FILE)} ${quote(JSON.stringify([step.path, step.find, step.replace]))}`;
    case "run":
      return step.command;
    case "tool":
      throw new Error(`the OpenAI double has no tool "${step.name}": Codex's model gets exec_command only`);
  }
}

const REVIEW_DENIAL = JSON.stringify({
  outcome: "deny",
  risk_level: "high",
  rationale: "grove double: this action is refused",
});

/** Codex 0.169's approval review: a structured answer with an allow/deny `outcome`. */
function isApprovalReview(body: Record<string, unknown>): boolean {
  const format = isRecord(body.text) && isRecord(body.text.format) ? body.text.format : null;
  const properties = format && isRecord(format.schema) && isRecord(format.schema.properties) ? format.schema.properties : null;
  return properties !== null && "outcome" in properties && "risk_level" in properties;
}

function quote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

function countToolOutputs(input: unknown): number {
  if (!Array.isArray(input)) return 0;
  return input.filter((item) => isRecord(item) && item.type === "function_call_output").length;
}
