-- CreateTable
CREATE TABLE "RunnerReceipt" (
    "key" TEXT NOT NULL,
    "receivedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "RunnerReceipt_pkey" PRIMARY KEY ("key")
);

-- CreateIndex
CREATE UNIQUE INDEX "MergeRequest_runId_headSha_key" ON "MergeRequest"("runId", "headSha");

