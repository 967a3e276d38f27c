-- CreateTable
CREATE TABLE "QueueLease" (
    "repositoryId" TEXT NOT NULL,
    "integration" TEXT NOT NULL,
    "runnerId" TEXT NOT NULL,
    "instance" TEXT NOT NULL,
    "epoch" INTEGER NOT NULL,
    "expiresAtMs" BIGINT NOT NULL,
    "acquiredAtMs" BIGINT NOT NULL,

    CONSTRAINT "QueueLease_pkey" PRIMARY KEY ("repositoryId","integration")
);

-- CreateIndex
CREATE INDEX "QueueLease_runnerId_idx" ON "QueueLease"("runnerId");

