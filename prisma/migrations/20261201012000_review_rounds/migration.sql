-- Review rounds: a task's later round is a new run on the same branch; reviewers' comments feed its prompt.

-- AlterTable
ALTER TABLE "Run" ADD COLUMN "round" INTEGER NOT NULL DEFAULT 1;
ALTER TABLE "Run" ADD COLUMN "previousRunId" TEXT;
ALTER TABLE "Run" ADD COLUMN "roundReason" TEXT;

-- DropIndex
DROP INDEX "Run_sessionId_agent_taskId_key";

-- CreateIndex
CREATE UNIQUE INDEX "Run_sessionId_agent_taskId_round_key" ON "Run"("sessionId", "agent", "taskId", "round");

-- CreateTable
CREATE TABLE "ReviewComment" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "runId" TEXT NOT NULL,
    "mergeRequestId" TEXT,
    "forRunId" TEXT,
    "author" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "file" TEXT,
    "line" INTEGER,
    "headSha" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "ReviewComment_runId_fkey" FOREIGN KEY ("runId") REFERENCES "Run" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE INDEX "ReviewComment_runId_idx" ON "ReviewComment"("runId");

-- CreateIndex
CREATE INDEX "ReviewComment_mergeRequestId_idx" ON "ReviewComment"("mergeRequestId");
