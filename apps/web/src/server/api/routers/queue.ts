import { MergePrioritizeSchema } from "@grove/core";
import { listMergeQueues } from "../../services/merge-queue.ts";
import { prioritizeMergeRequest } from "../../services/merge-prioritize.ts";
import { listQueueOwners } from "../../services/queue-owners.ts";
import { protectedProcedure, roleProcedure, router } from "../trpc.ts";

export const queueRouter = router({
  /** The runners' merge queues as they are now: slots, candidates, test progress, ETAs. */
  list: protectedProcedure.query(({ ctx }) => listMergeQueues(ctx)),

  /** Who owns each merge queue (one runner per repository and integration branch, however many serve it). */
  owners: protectedProcedure.query(({ ctx }) => listQueueOwners(ctx)),

  /** An approver puts a waiting request first; the runner that owns it decides, the move is audited. */
  putFirst: roleProcedure("approver")
    .input(MergePrioritizeSchema)
    .mutation(({ ctx, input }) => prioritizeMergeRequest(ctx, ctx.user, { id: input.mergeRequestId })),
});
