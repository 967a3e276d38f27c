-- Runner receipts: a keyed runner event (an audit record) is stored once, whichever instance receives it.

-- CreateTable
CREATE TABLE "RunnerReceipt" (
    "key" TEXT NOT NULL PRIMARY KEY,
    "receivedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- One merge request per run head, decided by the database: a run report resent to another instance opens none.
-- CreateIndex
CREATE UNIQUE INDEX "MergeRequest_runId_headSha_key" ON "MergeRequest"("runId", "headSha");
