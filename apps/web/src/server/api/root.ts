import { auditRouter } from "./routers/audit.ts";
import { authRouter } from "./routers/auth.ts";
import { mergeRouter } from "./routers/merge.ts";
import { runRouter } from "./routers/run.ts";
import { runnerRouter } from "./routers/runner.ts";
import { sessionRouter } from "./routers/session.ts";
import { createCallerFactory, router } from "./trpc.ts";

export const appRouter = router({
  auth: authRouter,
  session: sessionRouter,
  run: runRouter,
  merge: mergeRouter,
  audit: auditRouter,
  runner: runnerRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
