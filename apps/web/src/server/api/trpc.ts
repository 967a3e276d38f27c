import superjson from "superjson";
import { initTRPC, TRPCError } from "@trpc/server";
import { ZodError } from "zod";
import { isDomainError, type DomainErrorCode } from "@grove/core";
import type { Context } from "./context.ts";
import { describeInvalidInput } from "./input-error.ts";
import type { Role } from "../auth/sessions.ts";

type TrpcCode = TRPCError["code"];

/** The one table that turns domain failures into HTTP-level errors. */
const CODE_MAP: Record<DomainErrorCode, TrpcCode> = {
  INVALID_NAME: "BAD_REQUEST",
  INVALID_CONFIG: "BAD_REQUEST",
  INVALID_INPUT: "BAD_REQUEST",
  NOT_FOUND: "NOT_FOUND",
  ALREADY_EXISTS: "CONFLICT",
  BRANCH_CHECKED_OUT: "CONFLICT",
  DIRTY_WORKTREE: "CONFLICT",
  UNMERGED_BRANCH: "CONFLICT",
  SHA_MISMATCH: "CONFLICT",
  MERGE_CONFLICT: "CONFLICT",
  LOCK_TIMEOUT: "TIMEOUT",
  AUDIT_BROKEN: "PRECONDITION_FAILED",
  GIT_FAILED: "INTERNAL_SERVER_ERROR",
  PROCESS_FAILED: "INTERNAL_SERVER_ERROR",
  IO_FAILED: "INTERNAL_SERVER_ERROR",
  UNAUTHORIZED: "UNAUTHORIZED",
  FORBIDDEN: "FORBIDDEN",
  RUNNER_OFFLINE: "PRECONDITION_FAILED",
};

const t = initTRPC.context<Context>().create({
  transformer: superjson,
  errorFormatter({ shape, error }) {
    // Users see a message, never a stack trace.
    const { stack: _stack, ...data } = shape.data;
    const message =
      error.code === "INTERNAL_SERVER_ERROR" && !isDomainError(error.cause)
        ? "Something went wrong on the server."
        : error.cause instanceof ZodError
          ? describeInvalidInput(error.cause)
          : shape.message;
    return { ...shape, message, data: { ...data, domainCode: isDomainError(error.cause) ? error.cause.code : null } };
  },
});

const domainErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok && isDomainError(result.error.cause)) {
    const cause = result.error.cause;
    throw new TRPCError({ code: CODE_MAP[cause.code], message: cause.message, cause });
  }
  return result;
});

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;
export const publicProcedure = t.procedure.use(domainErrors);

export const protectedProcedure = publicProcedure.use(({ ctx, next }) => {
  if (!ctx.user) throw new TRPCError({ code: "UNAUTHORIZED", message: "Sign in first." });
  return next({ ctx: { ...ctx, user: ctx.user } });
});

const RANK: Record<Role, number> = { viewer: 0, approver: 1, admin: 2 };

export function roleProcedure(minimum: Role) {
  return protectedProcedure.use(({ ctx, next }) => {
    if (RANK[ctx.user.role] < RANK[minimum]) {
      throw new TRPCError({ code: "FORBIDDEN", message: `This needs the ${minimum} role; you are a ${ctx.user.role}.` });
    }
    return next();
  });
}
