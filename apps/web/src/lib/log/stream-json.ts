import { parseClaudeStreamLine, type ClaudeBlock } from "@grove/core/agent-events";

/** One line of `claude --output-format stream-json`, summarised for the structured log view. */
export type StreamEvent = { kind: "system" | "text" | "tool" | "tool-result" | "result" | "error"; label: string; text: string };

const firstLine = (text: string) => text.trim().split("\n")[0]?.slice(0, 300) ?? "";
const TOOL_KEYS = ["command", "file_path", "path", "pattern", "url", "description"];

/** Null when the line is not stream-json (plain output stays as it is). */
export function parseStreamJson(text: string): StreamEvent[] | null {
  // Each event is one row of the log view: a line break in any field the CLI printed must not start another.
  return eventsOf(text)?.map((e) => ({ ...e, label: firstLine(e.label), text: firstLine(e.text) })) ?? null;
}

function eventsOf(text: string): StreamEvent[] | null {
  if (!text.startsWith("{")) return null;
  const event = parseClaudeStreamLine(text);
  if (!event || event.kind === "other") return null;
  if (event.kind === "system") {
    return [
      {
        kind: "system",
        label: event.subtype ?? "system",
        text: [event.model, event.toolCount === null ? null : `${event.toolCount} tools`].filter(Boolean).join(" · "),
      },
    ];
  }
  if (event.kind === "result") {
    const parts = [
      event.subtype,
      event.turns !== null ? `${event.turns} turns` : null,
      event.durationMs !== null ? `${(event.durationMs / 1000).toFixed(1)} s` : null,
      event.costUsd !== null ? `$${event.costUsd.toFixed(2)}` : null,
    ];
    return [
      {
        kind: event.isError ? "error" : "result",
        label: "result",
        text: [parts.filter(Boolean).join(" · "), firstLine(event.result ?? "")].filter(Boolean).join(" — "),
      },
    ];
  }
  if (event.kind === "denial")
    return [{ kind: "error", label: `refused ${event.toolName ?? "a tool"}`, text: event.reason ?? event.message ?? "" }];
  return event.blocks?.flatMap((block) => summarise(block, event.role)) ?? null;
}

function summarise(block: ClaudeBlock, role: string): StreamEvent[] {
  switch (block.kind) {
    case "text":
      return [{ kind: "text", label: role, text: firstLine(block.text) }];
    case "tool-use": {
      // A call without a name, or with arguments that are no object, is not shown.
      const input = block.input ?? {};
      if (block.name === null || !isRecord(input)) return [];
      const key = TOOL_KEYS.find((k) => typeof input[k] === "string");
      return [{ kind: "tool", label: block.name, text: key ? firstLine(String(input[key])) : firstLine(JSON.stringify(input)) }];
    }
    case "tool-result": {
      const body = resultText(block.content);
      if (body === null) return [];
      return [
        {
          kind: block.isError ? "error" : "tool-result",
          label: block.isError ? "tool error" : "tool result",
          text: firstLine(body),
        },
      ];
    }
    case "other":
      return [];
  }
}

/** A tool's answer as text: a string, or the texts of its parts; null when it is neither. */
function resultText(content: unknown): string | null {
  if (content === undefined) return "";
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return null;
  const texts: string[] = [];
  for (const part of content as unknown[]) {
    if (!isRecord(part) || typeof part.type !== "string" || (part.text !== undefined && typeof part.text !== "string"))
      return null;
    texts.push(part.text ?? "");
  }
  return texts.join("\n");
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
