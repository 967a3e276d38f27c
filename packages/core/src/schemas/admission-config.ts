import { z } from "zod";

const megabytes = z
  .number()
  .int()
  .min(0)
  .max(16 * 1024 * 1024);

/**
 * grove.yaml `admission`: what a run, a setup or a test command needs of this machine before it starts,
 * besides the runner's count cap. The defaults suit a laptop: keep 1 GB free for everything else, start
 * nothing more once the 1-minute load passes 2 per core, and expect a run to take 2 GB (a test command
 * 1 GB) until grove has seen what runs of that profile really take.
 */
export const AdmissionConfigSchema = z.strictObject({
  /** Memory (MB) that must stay available after the new command's expected share is set aside. */
  minFreeMemoryMb: megabytes.default(1024),
  /** The 1-minute load average per core above which nothing more starts. */
  maxLoadPerCore: z.number().positive().max(1000).default(2),
  /** What a run (setup + agent) is expected to take (MB) before a run of its profile has been measured. */
  runMemoryMb: megabytes.default(2048),
  /** What a test command (a run's, or a merged tree's) is expected to take (MB) before one has been measured. */
  testMemoryMb: megabytes.default(1024),
});

export type AdmissionConfig = z.infer<typeof AdmissionConfigSchema>;

export const DEFAULT_ADMISSION: AdmissionConfig = AdmissionConfigSchema.parse({});
