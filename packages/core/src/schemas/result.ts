import { z } from "zod";

export const LearningSchema = z.object({
  title: z.string().min(1).max(200),
  body: z.string().max(20_000),
  tags: z.array(z.string().max(50)).max(20).optional(),
});

/** What an agent hands back instead of writing shared files (seed section 5, option C). */
export const ResultSchema = z.object({
  status: z.enum(["done", "partial", "failed"]),
  summary: z.string().max(10_000),
  learnings: z.array(LearningSchema).max(50).default([]),
  files: z.array(z.string().max(500)).max(1000).optional(),
  followUps: z.array(z.string().max(2000)).max(50).optional(),
});

export type Result = z.infer<typeof ResultSchema>;
export type Learning = z.infer<typeof LearningSchema>;
