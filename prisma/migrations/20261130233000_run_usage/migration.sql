-- What each run's agent used (tokens, cost, turns, duration, its CLI's session id), and a session's budget.

-- AlterTable
ALTER TABLE "AgentSession" ADD COLUMN "budgetUsd" REAL;
ALTER TABLE "AgentSession" ADD COLUMN "budgetTokens" INTEGER;

-- AlterTable
ALTER TABLE "Run" ADD COLUMN "tokensIn" INTEGER;
ALTER TABLE "Run" ADD COLUMN "tokensOut" INTEGER;
ALTER TABLE "Run" ADD COLUMN "costUsd" REAL;
ALTER TABLE "Run" ADD COLUMN "turns" INTEGER;
ALTER TABLE "Run" ADD COLUMN "agentMs" INTEGER;
ALTER TABLE "Run" ADD COLUMN "agentSessionId" TEXT;

-- CreateIndex
CREATE INDEX "Run_createdAt_idx" ON "Run"("createdAt");
