import { accountRouter } from "./routers/account.ts";
import { approvalRouter } from "./routers/approval.ts";
import { auditRouter } from "./routers/audit.ts";
import { authRouter } from "./routers/auth.ts";
import { brainRouter } from "./routers/brain.ts";
import { healthRouter } from "./routers/health.ts";
import { mergeRouter } from "./routers/merge.ts";
import { queueRouter } from "./routers/queue.ts";
import { notificationRouter } from "./routers/notification.ts";
import { runRouter } from "./routers/run.ts";
import { runnerRouter } from "./routers/runner.ts";
import { sessionRouter } from "./routers/session.ts";
import { setupRouter } from "./routers/setup.ts";
import { userRouter } from "./routers/user.ts";
import { createCallerFactory, router } from "./trpc.ts";

export const appRouter = router({
  auth: authRouter,
  account: accountRouter,
  setup: setupRouter,
  user: userRouter,
  session: sessionRouter,
  run: runRouter,
  approval: approvalRouter,
  merge: mergeRouter,
  queue: queueRouter,
  audit: auditRouter,
  brain: brainRouter,
  health: healthRouter,
  runner: runnerRouter,
  notification: notificationRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
