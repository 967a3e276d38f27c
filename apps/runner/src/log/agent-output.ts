import { createUsageMeter, isClaudeStreamJson, type AgentOutputFormat, type AgentUsage } from "@grove/core";
import { replayCapture, type CapturePosition, type OutputStream } from "@grove/core/node";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import { createClaudeStream, MAX_CLAUDE_EVENT_CHARS, type ClaudeFinal } from "./claude-stream.ts";
import { createCodexStream, isCodexJson } from "./codex-stream.ts";
import type { RunLog } from "./run-log.ts";

const CapturePositionSchema = z.object({
  path: z.string(),
  offset: z.number().int().nonnegative(),
  lines: z.number().int().nonnegative(),
});
/**
 * How far the agent's output files went into the run's log, as a checkpoint of its spool (see
 * RunLog.checkpoint): a restarted runner reads on from there whatever the agent printed after.
 */
const AgentOutputCheckpointSchema = z.object({
  agentOutput: z.object({
    // Spools of runners before codex was rendered say only whether the output was Claude's stream-json.
    isClaudeStream: z.boolean(),
    format: z.enum(["claude-stream-json", "codex-json", "text"]).optional(),
    stdout: CapturePositionSchema,
    stderr: CapturePositionSchema,
  }),
});
export type AgentOutput = z.infer<typeof AgentOutputCheckpointSchema>["agentOutput"];

/** How the agent of that argv writes its stdout: the CLIs grove renders, or plain text. */
export function agentOutputFormat(argv: readonly string[]): AgentOutputFormat {
  if (isClaudeStreamJson(argv)) return "claude-stream-json";
  return isCodexJson(argv) ? "codex-json" : "text";
}

/**
 * The agent CLI a profile runs, as usage is told apart by: claude and codex known by their output (whatever
 * the profile is called), any other by its profile's name.
 */
export function agentCliName(profile: string, argv: readonly string[]): string {
  const format = agentOutputFormat(argv);
  return format === "claude-stream-json" ? "claude" : format === "codex-json" ? "codex" : profile;
}

/**
 * The longest stdout line read as one event: a JSON-printing CLI's events are read whole (a tool's output
 * makes one far longer than a log row, and a cut event cannot be parsed); plain text is cut into rows.
 */
export function maxEventChars(format: AgentOutputFormat): number | undefined {
  return format === "text" ? undefined : MAX_CLAUDE_EVENT_CHARS;
}

function formatOf(output: AgentOutput): AgentOutputFormat {
  return output.format ?? (output.isClaudeStream ? "claude-stream-json" : "text");
}

/**
 * The agent's output lines into the run's log: Claude's stream-json and Codex's `--json` rendered (a line
 * that is no event of theirs stays as it is), anything else as it is; what the agent used, metered on the way.
 */
export function createAgentLineWriter(runLog: RunLog, format: AgentOutputFormat) {
  const meter = createUsageMeter();
  const claude = format === "claude-stream-json" ? createClaudeStream(meter) : null;
  const codex = format === "codex-json" ? createCodexStream(meter) : null;
  return {
    /** False when the log wants the producer to pause (see RunLog.write). */
    write(stream: OutputStream, text: string): boolean {
      const lines = stream === "stdout" ? (claude?.render(text) ?? codex?.render(text)) : codex?.renderStderr(text);
      if (!lines) return runLog.write(stream, text);
      let isWritable = true;
      for (const line of lines) isWritable = runLog.write(line.stream, line.text, line.kind) && isWritable;
      return isWritable;
    },
    final: (): ClaudeFinal | null => claude?.final() ?? codex?.final() ?? null,
    /** What the agent used as its CLI reported it; `processMs` stands in for a duration it did not report. */
    usage: (processMs: number | null): AgentUsage | null => meter.usage(processMs),
    /** The tool calls the agent's CLI refused it (Claude's permission_denied events, calls Codex declined); 0 for other CLIs. */
    refusedActions: (): number => claude?.refusedActions() ?? codex?.refusedActions() ?? 0,
    refused: (): readonly string[] => claude?.refused() ?? codex?.refused() ?? [],
  };
}

/** Records the positions the agent's output tail reports as the run log's checkpoint. */
export function trackAgentOutput(runLog: RunLog, format: AgentOutputFormat) {
  const isClaudeStream = format === "claude-stream-json";
  const positions: Partial<Record<OutputStream, CapturePosition>> = {};
  return {
    onRead: (stream: OutputStream, position: CapturePosition) => {
      positions[stream] = position;
      const { stdout, stderr } = positions;
      if (stdout && stderr)
        runLog.checkpoint({ agentOutput: { isClaudeStream, format, stdout, stderr } } satisfies z.input<
          typeof AgentOutputCheckpointSchema
        >);
    },
    /** The output files: they go once the log has every line of them on disk. */
    paths: () => Object.values(positions).map((position) => position.path),
  };
}

/** Where an earlier runner's spool says the agent's output files were read to; null when it does not say. */
export function savedAgentOutput(runLog: RunLog): AgentOutput | null {
  const parsed = AgentOutputCheckpointSchema.safeParse(runLog.resumedCheckpoint);
  return parsed.success ? parsed.data.agentOutput : null;
}

/** The agent's output files from their start, for an agent whose first lines never reached the spool. */
export function agentOutputFromStart(captureDir: string): AgentOutput {
  const start = (file: string): CapturePosition => ({ path: join(captureDir, file), offset: 0, lines: 0 });
  return { isClaudeStream: false, stdout: start("stdout.log"), stderr: start("stderr.log") };
}

/**
 * Reads into the run's log what the agent printed past `from` — lines the runner that ran it had not
 * spooled when it died, and what the agent printed after — its checkpoint moving along, then removes the
 * files. For an agent that is gone: its files are complete. Resolves to the number of lines read.
 */
export async function replayAgentOutput(runLog: RunLog, from: AgentOutput): Promise<number> {
  const writer = createAgentLineWriter(runLog, formatOf(from));
  const positions = { stdout: from.stdout, stderr: from.stderr };
  let count = 0;
  for (const stream of ["stdout", "stderr"] as const) {
    let isWritable = true;
    // Read as the run read it: a JSON CLI's events whole (their positions count lines so).
    const maxChars = stream === "stdout" ? maxEventChars(formatOf(from)) : undefined;
    await replayCapture(
      positions[stream],
      {
        onLine(text) {
          count++;
          isWritable = writer.write(stream, text) && isWritable;
        },
        async onRead(position) {
          positions[stream] = position;
          runLog.checkpoint({
            agentOutput: { ...positions, isClaudeStream: from.isClaudeStream, format: formatOf(from) },
          } satisfies z.input<typeof AgentOutputCheckpointSchema>);
          if (!isWritable) await runLog.whenWritable();
          isWritable = true;
        },
      },
      maxChars,
    );
  }
  await runLog.flush();
  await Promise.all([positions.stdout.path, positions.stderr.path].map((path) => rm(path, { force: true })));
  return count;
}
