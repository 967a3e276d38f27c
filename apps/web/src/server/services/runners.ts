import { z } from "zod";

const RunnerReposSchema = z.array(z.object({ path: z.string(), name: z.string(), integration: z.string() }));
export type RunnerRepo = z.infer<typeof RunnerReposSchema>[number];

export function parseRunnerRepos(json: string): RunnerRepo[] {
  try {
    const parsed = RunnerReposSchema.safeParse(JSON.parse(json));
    return parsed.success ? parsed.data : [];
  } catch {
    return [];
  }
}
