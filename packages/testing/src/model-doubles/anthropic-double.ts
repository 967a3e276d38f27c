import type { ServerResponse } from "node:http";
import { isRecord, startLoopbackServer, parseBody, writeJson, writeSse, type LoopbackServer } from "./loopback-server.ts";
import { allStrings, factsFromText, fillStep, stepAt, TURN_USAGE, type ModelScript, type ModelStep } from "./model-script.ts";

/**
 * A scripted Anthropic Messages API on loopback, for the real Claude Code CLI (ANTHROPIC_BASE_URL).
 * The agent's conversation (a request whose tools include Edit) plays `script`, one step per turn,
 * chosen by how many tool results the conversation holds; the CLI's side requests (titles, token
 * counts, non-streamed calls) get a short plain answer. Each streamed turn reports TURN_USAGE
 * (`message_start` the input, `message_delta` the output), and `streamedTurns` counts them.
 */
export async function startAnthropicDouble(script: ModelScript, port = 0): Promise<LoopbackServer & { streamedTurns(): number }> {
  let served = 0;
  let streamed = 0;
  const server = await startLoopbackServer((request, res) => {
    served += 1;
    const body = parseBody(request.body);
    if (!request.url.startsWith("/v1/messages") || request.url.includes("count_tokens") || !isRecord(body)) {
      writeJson(res, 200, { input_tokens: 10 });
      return;
    }
    const id = `msg_double_${served}`;
    const tools = Array.isArray(body.tools) ? body.tools.map((tool) => (isRecord(tool) ? tool.name : undefined)) : [];
    if (body.stream !== true) {
      writeJson(res, 200, message(id, [{ type: "text", text: "ok" }], "end_turn"));
      return;
    }
    streamed += 1;
    if (!tools.includes("Edit")) {
      streamTurn(res, id, { do: "say", text: "ok" }, served);
      return;
    }
    const text = allStrings(body);
    const cwd = /Primary working directory: (\S+)/.exec(text)?.[1];
    const step = fillStep(stepAt(script, countToolResults(body.messages), countFinalAnswers(body.messages)), {
      cwd,
      ...factsFromText(text),
    });
    if (step.do === "refuse")
      writeJson(res, step.status, { type: "error", error: { type: "invalid_request_error", message: step.message } });
    else streamTurn(res, id, step, served);
  }, port);
  return Object.assign(server, { streamedTurns: () => streamed });
}

function streamTurn(res: ServerResponse, id: string, step: Exclude<ModelStep, { do: "refuse" }>, served: number): void {
  const usage = {
    input_tokens: TURN_USAGE.uncachedInput,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: TURN_USAGE.cachedInput,
    output_tokens: 1,
  };
  const start = ["message_start", { type: "message_start", message: { ...message(id, [], null), usage } }] as const;
  const end = (stopReason: string) =>
    [
      [
        "message_delta",
        {
          type: "message_delta",
          delta: { stop_reason: stopReason, stop_sequence: null },
          usage: { output_tokens: TURN_USAGE.output },
        },
      ],
      ["message_stop", { type: "message_stop" }],
    ] as const;
  if (step.do === "say") {
    writeSse(res, [
      start,
      ["content_block_start", { type: "content_block_start", index: 0, content_block: { type: "text", text: "" } }],
      ["content_block_delta", { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: step.text } }],
      ["content_block_stop", { type: "content_block_stop", index: 0 }],
      ...end("end_turn"),
    ]);
    return;
  }
  const [name, input] = toolCall(step);
  writeSse(res, [
    start,
    [
      "content_block_start",
      {
        type: "content_block_start",
        index: 0,
        content_block: { type: "tool_use", id: `toolu_double_${served}`, name, input: {} },
      },
    ],
    [
      "content_block_delta",
      { type: "content_block_delta", index: 0, delta: { type: "input_json_delta", partial_json: JSON.stringify(input) } },
    ],
    ["content_block_stop", { type: "content_block_stop", index: 0 }],
    ...end("tool_use"),
  ]);
}

/** Claude Code's own tools for each kind of step. */
function toolCall(step: Exclude<ModelStep, { do: "say" | "refuse" }>): [string, Record<string, string>] {
  switch (step.do) {
    case "read":
      return ["Read", { file_path: step.path }];
    case "write":
      return ["Write", { file_path: step.path, content: step.content }];
    case "edit":
      return ["Edit", { file_path: step.path, old_string: step.find, new_string: step.replace }];
    case "run":
      return ["Bash", { command: step.command, description: "Run a command" }];
    case "tool":
      return [step.name, step.input];
  }
}

function message(id: string, content: unknown[], stopReason: string | null) {
  return {
    id,
    type: "message",
    role: "assistant",
    model: "claude-sonnet-4-5",
    content,
    stop_reason: stopReason,
    stop_sequence: null,
    usage: { input_tokens: 10, output_tokens: 1 },
  };
}

function countToolResults(messages: unknown): number {
  if (!Array.isArray(messages)) return 0;
  return messages
    .flatMap((entry): unknown[] => (isRecord(entry) && Array.isArray(entry.content) ? entry.content : []))
    .filter((block) => isRecord(block) && block.type === "tool_result").length;
}

/** The assistant turns of the conversation that ended with an answer rather than a tool call (an earlier round). */
function countFinalAnswers(messages: unknown): number {
  if (!Array.isArray(messages)) return 0;
  return messages.filter(
    (entry) =>
      isRecord(entry) &&
      entry.role === "assistant" &&
      Array.isArray(entry.content) &&
      !entry.content.some((block) => isRecord(block) && block.type === "tool_use"),
  ).length;
}
