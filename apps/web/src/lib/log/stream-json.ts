import { z } from "zod";

/** One line of `claude --output-format stream-json`, summarised for the structured log view. */
export type StreamEvent = { kind: "system" | "text" | "tool" | "tool-result" | "result" | "error"; label: string; text: string };

const Content = z.array(
  z.union([
    z.object({ type: z.literal("text"), text: z.string() }),
    z.object({ type: z.literal("tool_use"), name: z.string(), input: z.record(z.string(), z.unknown()).default({}) }),
    z.object({
      type: z.literal("tool_result"),
      content: z.union([z.string(), z.array(z.object({ type: z.string(), text: z.string().optional() }))]).default(""),
      is_error: z.boolean().optional(),
    }),
    z.object({ type: z.string() }),
  ]),
);
const Line = z.union([
  z.object({ type: z.literal("system"), subtype: z.string().optional(), model: z.string().optional(), tools: z.array(z.unknown()).optional() }),
  z.object({ type: z.enum(["assistant", "user"]), message: z.object({ content: z.union([z.string(), Content]) }) }),
  z.object({
    type: z.literal("result"),
    subtype: z.string().optional(),
    is_error: z.boolean().optional(),
    num_turns: z.number().optional(),
    duration_ms: z.number().optional(),
    total_cost_usd: z.number().optional(),
    result: z.string().optional(),
  }),
]);

const firstLine = (text: string) => text.trim().split("\n")[0]?.slice(0, 300) ?? "";
const TOOL_KEYS = ["command", "file_path", "path", "pattern", "url", "description"];

/** Null when the line is not stream-json (plain output stays as it is). */
export function parseStreamJson(text: string): StreamEvent[] | null {
  // Each event is one row of the log view: a line break in any field the CLI printed must not start another.
  return eventsOf(text)?.map((e) => ({ ...e, label: firstLine(e.label), text: firstLine(e.text) })) ?? null;
}

function eventsOf(text: string): StreamEvent[] | null {
  if (!text.startsWith("{")) return null;
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return null;
  }
  const parsed = Line.safeParse(raw);
  if (!parsed.success) return null;
  const event = parsed.data;
  if (event.type === "system") {
    return [{ kind: "system", label: event.subtype ?? "system", text: [event.model, event.tools ? `${event.tools.length} tools` : null].filter(Boolean).join(" · ") }];
  }
  if (event.type === "result") {
    const parts = [event.subtype, event.num_turns !== undefined ? `${event.num_turns} turns` : null, event.duration_ms !== undefined ? `${(event.duration_ms / 1000).toFixed(1)} s` : null, event.total_cost_usd !== undefined ? `$${event.total_cost_usd.toFixed(2)}` : null];
    return [{ kind: event.is_error ? "error" : "result", label: "result", text: [parts.filter(Boolean).join(" · "), firstLine(event.result ?? "")].filter(Boolean).join(" — ") }];
  }
  const content = typeof event.message.content === "string" ? [{ type: "text" as const, text: event.message.content }] : event.message.content;
  return content.flatMap((block): StreamEvent[] => {
    if ("text" in block && block.type === "text" && typeof block.text === "string") return [{ kind: "text", label: event.type, text: firstLine(block.text) }];
    if ("name" in block && "input" in block) {
      const key = TOOL_KEYS.find((k) => typeof block.input[k] === "string");
      return [{ kind: "tool", label: block.name, text: key ? firstLine(String(block.input[key])) : firstLine(JSON.stringify(block.input)) }];
    }
    if ("content" in block) {
      const body = typeof block.content === "string" ? block.content : block.content.map((c) => c.text ?? "").join("\n");
      return [{ kind: block.is_error ? "error" : "tool-result", label: block.is_error ? "tool error" : "tool result", text: firstLine(body) }];
    }
    return [];
  });
}
