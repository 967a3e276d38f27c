import { z } from "zod";
import { RepositoryIdSchema } from "./queue-lease.ts";

/**
 * A repository a runner serves, as its hello reports it (and the hub stores it). `repositoryId`: its
 * `grove.repositoryId`; runners announcing the same id serve one repository and share its merge queues.
 */
export const RunnerRepoSchema = z.object({
  path: z.string(),
  name: z.string(),
  integration: z.string(),
  repositoryId: RepositoryIdSchema.optional(),
});
export type RunnerRepo = z.infer<typeof RunnerRepoSchema>;
export const RunnerHelloSchema = z.object({
  host: z.string().max(200),
  version: z.string().max(50),
  repos: z.array(RunnerRepoSchema).max(100),
});
