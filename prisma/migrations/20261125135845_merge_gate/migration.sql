-- CreateTable
CREATE TABLE "BranchStatus" (
    "runnerId" TEXT NOT NULL,
    "repoPath" TEXT NOT NULL,
    "branch" TEXT NOT NULL,
    "integration" TEXT NOT NULL,
    "integrationSha" TEXT,
    "headSha" TEXT NOT NULL,
    "baseSha" TEXT,
    "live" BOOLEAN NOT NULL,
    "files" TEXT NOT NULL DEFAULT '[]',
    "workingFiles" TEXT NOT NULL DEFAULT '[]',
    "conflicts" TEXT,
    "brainFiles" TEXT NOT NULL DEFAULT '[]',
    "overlaps" TEXT NOT NULL DEFAULT '[]',
    "diff" TEXT,
    "diffSha" TEXT,
    "diffTruncated" BOOLEAN NOT NULL DEFAULT false,
    "updatedAt" DATETIME NOT NULL,

    PRIMARY KEY ("runnerId", "repoPath", "branch")
);

-- CreateTable
CREATE TABLE "CommitProvenance" (
    "sha" TEXT NOT NULL,
    "mergeRequestId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,

    PRIMARY KEY ("sha", "mergeRequestId"),
    CONSTRAINT "CommitProvenance_mergeRequestId_fkey" FOREIGN KEY ("mergeRequestId") REFERENCES "MergeRequest" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_MergeRequest" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "runId" TEXT NOT NULL,
    "branch" TEXT NOT NULL,
    "integration" TEXT NOT NULL,
    "headSha" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "decidedBy" TEXT,
    "decidedAt" DATETIME,
    "comment" TEXT,
    "approvedSha" TEXT,
    "mergeSha" TEXT,
    "error" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    "approval" TEXT,
    "diff" TEXT,
    "diffTruncated" BOOLEAN NOT NULL DEFAULT false,
    "checkedSha" TEXT,
    "checkedAt" DATETIME,
    "conflicts" TEXT,
    "overlaps" TEXT,
    "brainFiles" TEXT,
    "blockedReason" TEXT,
    "stage" TEXT,
    "mergedTreeTest" TEXT,
    "candidateSha" TEXT,
    "depositSha" TEXT,
    "depositFiles" TEXT,
    "snapshotRef" TEXT,
    CONSTRAINT "MergeRequest_runId_fkey" FOREIGN KEY ("runId") REFERENCES "Run" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);
INSERT INTO "new_MergeRequest" ("approvedSha", "branch", "comment", "createdAt", "decidedAt", "decidedBy", "error", "headSha", "id", "integration", "mergeSha", "runId", "state", "updatedAt") SELECT "approvedSha", "branch", "comment", "createdAt", "decidedAt", "decidedBy", "error", "headSha", "id", "integration", "mergeSha", "runId", "state", "updatedAt" FROM "MergeRequest";
DROP TABLE "MergeRequest";
ALTER TABLE "new_MergeRequest" RENAME TO "MergeRequest";
CREATE INDEX "MergeRequest_state_idx" ON "MergeRequest"("state");
CREATE INDEX "MergeRequest_runId_idx" ON "MergeRequest"("runId");
CREATE INDEX "MergeRequest_branch_idx" ON "MergeRequest"("branch");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE INDEX "BranchStatus_branch_idx" ON "BranchStatus"("branch");

-- CreateIndex
CREATE INDEX "CommitProvenance_mergeRequestId_idx" ON "CommitProvenance"("mergeRequestId");

-- CreateIndex
CREATE INDEX "AuditEvent_runId_idx" ON "AuditEvent"("runId");

-- CreateIndex
CREATE INDEX "AuditEvent_actorId_idx" ON "AuditEvent"("actorId");

-- CreateIndex
CREATE INDEX "AuditEvent_sha_idx" ON "AuditEvent"("sha");

-- CreateIndex
CREATE INDEX "AuditEvent_ts_idx" ON "AuditEvent"("ts");

