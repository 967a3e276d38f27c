/** The subject of every agent merge commit; tests and provenance look for exactly this. */
export function agentMergeMessage(agent: string, taskId: string): string {
  return `Merge ${agent} agent results (${taskId})`;
}
