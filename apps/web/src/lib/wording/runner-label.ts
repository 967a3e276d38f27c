/** A runner as a picker names it: its name, and its host unless the name already says it ("local (vm)"). */
export function runnerLabel(runner: { name: string; host: string | null }): string {
  if (!runner.host) return `${runner.name} (unknown host)`;
  return runner.name.includes(runner.host) ? runner.name : `${runner.name} (${runner.host})`;
}
