import { stringify } from "yaml";
import { normalizeBrainDir } from "../merge/brain-policy.ts";
import type { Result } from "../schemas/result.ts";
import { formatBrainId, highestBrainNumbers, type BrainKind } from "./brain-numbers.ts";
import { slugify } from "./slug.ts";

/** Where a deposit came from; written into every file's front matter. */
export type DepositSource = {
  runId: string;
  sessionId: string | null;
  agent: string;
  taskId: string;
  branch: string;
  headSha: string;
  mergeSha: string;
  approvedBy: string | null;
  /** Epoch ms. */
  at: number;
};

export type BrainDepositFile = { kind: BrainKind; id: string; path: string; content: string };

/**
 * Turns a RESULT into brain files (seed section 5, option C): one LEARN file per learning and one
 * LOG file for the run, numbered after the highest number already in the brain folder.
 */
export function planBrainDeposit(input: {
  brain: string;
  existingPaths: readonly string[];
  result: Result;
  source: DepositSource;
}): BrainDepositFile[] {
  const dir = normalizeBrainDir(input.brain);
  const next = highestBrainNumbers(input.existingPaths);
  const { result, source } = input;
  const created = new Date(source.at).toISOString();
  const files: BrainDepositFile[] = [];

  for (const learning of result.learnings) {
    next.LEARN += 1;
    const id = formatBrainId("LEARN", next.LEARN);
    const front = { type: "LEARN", id, title: learning.title, tags: learning.tags ?? [], created, source: sourceOf(source) };
    files.push({
      kind: "LEARN",
      id,
      path: `${dir}/${id}-${slugify(learning.title)}.md`,
      content: render(front, `# ${id}: ${learning.title}\n\n${learning.body.trim()}\n`),
    });
  }

  next.LOG += 1;
  const id = formatBrainId("LOG", next.LOG);
  const title = `${source.agent} agent, task ${source.taskId}`;
  const front = {
    type: "LOG",
    id,
    title,
    status: result.status,
    created,
    learnings: files.map((f) => f.id),
    source: sourceOf(source),
  };
  files.push({
    kind: "LOG",
    id,
    path: `${dir}/${id}-${slugify(`${source.agent}-${source.taskId}`)}.md`,
    content: render(front, logBody(id, title, result, files)),
  });
  return files;
}

function sourceOf(source: DepositSource) {
  return {
    run: source.runId,
    session: source.sessionId,
    agent: source.agent,
    task: source.taskId,
    branch: source.branch,
    head: source.headSha,
    merge: source.mergeSha,
    approved_by: source.approvedBy,
  };
}

function render(front: Record<string, unknown>, body: string): string {
  return `---\n${stringify(front, { lineWidth: 0 })}---\n\n${body}`;
}

function logBody(id: string, title: string, result: Result, learned: BrainDepositFile[]): string {
  const sections = [`# ${id}: ${title}\n\n${result.summary.trim() || "(no summary)"}\n`];
  if (learned.length > 0)
    sections.push(`## Learnings\n\n${learned.map((f) => `- ${f.id} (${f.path.split("/").at(-1) ?? f.path})`).join("\n")}\n`);
  if (result.files?.length) sections.push(`## Files\n\n${result.files.map((f) => `- \`${f}\``).join("\n")}\n`);
  if (result.followUps?.length) sections.push(`## Follow-ups\n\n${result.followUps.map((f) => `- ${f}`).join("\n")}\n`);
  return sections.join("\n");
}
