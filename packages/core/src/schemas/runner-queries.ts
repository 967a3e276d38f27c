import { z } from "zod";
import { AgentsCheckAnswerSchema, type AgentsCheckAnswer, type AgentsCheckRequestSchema } from "./agent-check.ts";
import type { QueryAck } from "./acks.ts";
import { DiskLedgerSchema } from "./disk-ledger.ts";
import { ShaSchema } from "./ids.ts";
import {
  CleanupAnswerSchema,
  KeptBranchSchema,
  LeftoverWorkSchema,
  MAX_KEPT_BRANCHES,
  MAX_LEFTOVERS,
  type CleanupAnswer,
} from "./leftover-work.ts";

/**
 * Read-mostly questions the hub asks a runner about one of its repositories (the web app never
 * touches git): profiles for the start form, the brain folder and its history, a run's diff, and
 * `grove doctor`. Each answer comes back in the ack and is parsed by the hub like any inbound payload.
 */

const repoPath = z.string().min(1).max(4096);
const sha = ShaSchema;
/** A path inside the repository: relative, no `..` segment, no leading dash. */
const repoFile = z
  .string()
  .min(1)
  .max(1000)
  .refine(
    (p) => !p.startsWith("/") && !p.startsWith("-") && !p.split("/").includes(".."),
    "must be a relative path inside the repository",
  );

/** A diff answer's patch and stat, in bytes of their JSON form: together they fit one socket message. */
export const MAX_QUERY_DIFF_BYTES = 1_000_000;
export const MAX_QUERY_DIFF_STAT_BYTES = 200_000;
export const MAX_BRAIN_FILE_CHARS = 200_000;

export const RepoInfoRequestSchema = z.object({ repoPath });
export const RepoInfoAnswerSchema = z.object({
  repoPath: z.string(),
  integration: z.string(),
  brain: z.string(),
  test: z.string().nullable(),
  profiles: z.array(z.string()).max(200),
});
export type RepoInfoAnswer = z.infer<typeof RepoInfoAnswerSchema>;

export const CommitInfoAnswerSchema = z.object({
  sha,
  parents: z.array(sha),
  ts: z.number().int(),
  author: z.string().max(300),
  subject: z.string().max(2000),
  body: z.string().max(20_000),
});
export type CommitInfoAnswer = z.infer<typeof CommitInfoAnswerSchema>;

export const BrainListRequestSchema = z.object({ repoPath });
export const BrainListAnswerSchema = z.object({
  folder: z.string(),
  ref: z.string(),
  files: z
    .array(z.object({ path: z.string(), size: z.number().int().nonnegative(), lastCommit: CommitInfoAnswerSchema.nullable() }))
    .max(2000),
});
export type BrainListAnswer = z.infer<typeof BrainListAnswerSchema>;

export const BrainFileRequestSchema = z.object({ repoPath, path: repoFile });
export const BrainFileAnswerSchema = z.object({
  path: z.string(),
  ref: z.string(),
  content: z.string(),
  isTruncated: z.boolean(),
  history: z.array(CommitInfoAnswerSchema).max(500),
});
export type BrainFileAnswer = z.infer<typeof BrainFileAnswerSchema>;

export const RepoDiffRequestSchema = z.object({ repoPath, base: sha, head: sha });
export const RepoDiffAnswerSchema = z.object({ stat: z.string(), patch: z.string(), isTruncated: z.boolean() });
export type RepoDiffAnswer = z.infer<typeof RepoDiffAnswerSchema>;

const keep = z.array(KeptBranchSchema).max(MAX_KEPT_BRANCHES).default([]);
/** Branches of runs the hub has seen end; the runner adds those its own records know. */
const ended = z.array(z.string().min(1).max(300)).max(MAX_KEPT_BRANCHES).default([]);
export const DoctorRequestSchema = z.object({ repoPath, fix: z.boolean().default(false), ended, keep });
export const DoctorFindingAnswerSchema = z.object({
  kind: z.string(),
  path: z.string().nullable(),
  branch: z.string().nullable(),
  sha: z.string().nullable(),
  pid: z.number().int().nullable(),
  message: z.string(),
  fix: z.string(),
  isSafeToFix: z.boolean(),
});
export const DoctorAnswerSchema = z.object({
  repo: z.string(),
  findings: z.array(DoctorFindingAnswerSchema),
  fixed: z.array(DoctorFindingAnswerSchema),
  failed: z.array(z.object({ finding: DoctorFindingAnswerSchema, error: z.string() })),
  leftovers: z.array(LeftoverWorkSchema).max(MAX_LEFTOVERS).default([]),
  /** What the repository's worktrees take on disk (absent from a runner that does not measure it). */
  disk: DiskLedgerSchema.optional(),
});
export type DoctorAnswer = z.infer<typeof DoctorAnswerSchema>;

/** Snapshot under refs/grove/archive/, then remove, the named leftovers (never one in `keep`). */
export const CleanupRequestSchema = z.object({
  repoPath,
  branches: z.array(z.string().min(1).max(300)).min(1).max(MAX_LEFTOVERS),
  ended,
  keep,
});

/** Every query's ack: the answer, or why there is none. */

export type RunnerQueryEvents = {
  "repo:info": (payload: z.input<typeof RepoInfoRequestSchema>, ack: (res: QueryAck<RepoInfoAnswer>) => void) => void;
  "brain:list": (payload: z.input<typeof BrainListRequestSchema>, ack: (res: QueryAck<BrainListAnswer>) => void) => void;
  "brain:file": (payload: z.input<typeof BrainFileRequestSchema>, ack: (res: QueryAck<BrainFileAnswer>) => void) => void;
  "repo:diff": (payload: z.input<typeof RepoDiffRequestSchema>, ack: (res: QueryAck<RepoDiffAnswer>) => void) => void;
  "doctor:run": (payload: z.input<typeof DoctorRequestSchema>, ack: (res: QueryAck<DoctorAnswer>) => void) => void;
  "agents:check": (payload: z.input<typeof AgentsCheckRequestSchema>, ack: (res: QueryAck<AgentsCheckAnswer>) => void) => void;
  "leftovers:clean": (payload: z.input<typeof CleanupRequestSchema>, ack: (res: QueryAck<CleanupAnswer>) => void) => void;
};

/** The answer schema of each query, for the hub to parse acks with. */
export const RUNNER_QUERY_ANSWERS = {
  "repo:info": RepoInfoAnswerSchema,
  "brain:list": BrainListAnswerSchema,
  "brain:file": BrainFileAnswerSchema,
  "repo:diff": RepoDiffAnswerSchema,
  "doctor:run": DoctorAnswerSchema,
  "agents:check": AgentsCheckAnswerSchema,
  "leftovers:clean": CleanupAnswerSchema,
} as const;
export type RunnerQueryName = keyof RunnerQueryEvents;
