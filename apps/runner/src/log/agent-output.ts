import { replayCapture, type CapturePosition, type OutputStream } from "@grove/core/node";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import { createClaudeStream, MAX_CLAUDE_EVENT_CHARS, type ClaudeFinal } from "./claude-stream.ts";
import type { RunLog } from "./log-shipper.ts";

const CapturePositionSchema = z.object({ path: z.string(), offset: z.number().int().nonnegative(), lines: z.number().int().nonnegative() });
/**
 * How far the agent's output files went into the run's log, as a checkpoint of its spool (see
 * RunLog.checkpoint): a restarted runner reads on from there whatever the agent printed after.
 */
const AgentOutputCheckpointSchema = z.object({
  agentOutput: z.object({ isClaudeStream: z.boolean(), stdout: CapturePositionSchema, stderr: CapturePositionSchema }),
});
export type AgentOutput = z.infer<typeof AgentOutputCheckpointSchema>["agentOutput"];

/** The agent's output lines into the run's log: Claude's stream-json rendered, anything else as it is. */
export function createAgentLineWriter(runLog: RunLog, isClaudeStream: boolean) {
  const claude = isClaudeStream ? createClaudeStream() : null;
  return {
    /** False when the log wants the producer to pause (see RunLog.write). */
    write(stream: OutputStream, text: string): boolean {
      if (!claude || stream !== "stdout") return runLog.write(stream, text);
      let isWritable = true;
      for (const line of claude.render(text)) isWritable = runLog.write(line.stream, line.text) && isWritable;
      return isWritable;
    },
    final: (): ClaudeFinal | null => claude?.final() ?? null,
    /** The tool calls the agent's CLI refused it (Claude's permission_denied events); 0 for other CLIs. */
    refusedActions: (): number => claude?.refusedActions() ?? 0,
    refused: (): readonly string[] => claude?.refused() ?? [],
  };
}

/** Records the positions the agent's output tail reports as the run log's checkpoint. */
export function trackAgentOutput(runLog: RunLog, isClaudeStream: boolean) {
  const positions: Partial<Record<OutputStream, CapturePosition>> = {};
  return {
    onRead: (stream: OutputStream, position: CapturePosition) => {
      positions[stream] = position;
      const { stdout, stderr } = positions;
      if (stdout && stderr) runLog.checkpoint({ agentOutput: { isClaudeStream, stdout, stderr } } satisfies z.input<typeof AgentOutputCheckpointSchema>);
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
  const writer = createAgentLineWriter(runLog, from.isClaudeStream);
  const positions = { stdout: from.stdout, stderr: from.stderr };
  let count = 0;
  for (const stream of ["stdout", "stderr"] as const) {
    let isWritable = true;
    // Read as the run read it: Claude's events whole (their positions count lines so).
    const maxChars = from.isClaudeStream && stream === "stdout" ? MAX_CLAUDE_EVENT_CHARS : undefined;
    await replayCapture(positions[stream], {
      onLine(text) {
        count++;
        isWritable = writer.write(stream, text) && isWritable;
      },
      async onRead(position) {
        positions[stream] = position;
        runLog.checkpoint({ agentOutput: { ...positions, isClaudeStream: from.isClaudeStream } } satisfies z.input<typeof AgentOutputCheckpointSchema>);
        if (!isWritable) await runLog.whenWritable();
        isWritable = true;
      },
    }, maxChars);
  }
  await runLog.flush();
  await Promise.all([positions.stdout.path, positions.stderr.path].map((path) => rm(path, { force: true })));
  return count;
}
